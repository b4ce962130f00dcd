"""The stepping kernel: clone counts advance in place, one step at a time.

Arrays in, arrays out, a ``numpy.random.Generator`` passed in; no Python
objects. The kernel returns an exit code whenever Python has something to do
(detection, a scan, extinction, a full record buffer, or simply every
``max_steps`` steps so Ctrl-C works), in the style of msprime's
``Simulator._run_until``.

One step of length ``tau`` does, for every non-empty clone:

1. its own births and deaths: the exact birth-death transition
   (:func:`~clonesim.engine.birth_death.sample_birth_death`) with the
   *non-mutating* birth rate ``b * q`` (``q`` = probability that a newborn
   carries no new resistance) and the death rate plus any continuous drug
   kill. A division whose newborn mutates leaves the parent clone unchanged,
   so this is exact for the clone itself;
2. its mutant newborns: given the clone's path, newborns resistant to drug
   set ``S`` arrive as a Poisson process of intensity ``b * p_S * N(s)``.
   The kernel draws their number with the integral of ``N`` taken as the
   trapezoid of the step's end points, and for up to
   :data:`EXACT_ARRIVALS` arrivals draws each arrival time from the same
   linear path and advances each newborn exactly to the step's end. Larger
   batches (many mutants into what is by then a large clone) arrive
   together at mid-step: one transition for the whole batch, so 1e6
   mutants a day cost what one does.

3. mutants of cells that themselves arrived during the step: their
   lineages' cell-days are the clone's ``exposure``, from which a second
   pass draws their own mutants, added at the step's end.

Pulsed doses are exact binomial thinnings at the dose times, which every
step lands on. What is approximate is therefore only *when within a step*
mutants are born and how many (given the end points), and density-dependent
rates frozen over a step; these errors shrink as ``step_tolerance**2``.
``docs/engine.md`` gives the argument and the verification suite measures it.

The kernels take their arrays in a few named groups (``collections.namedtuple``
of arrays, which numba passes and caches like loose arrays), defined with the
exit codes and table columns in :mod:`clonesim.engine.layout`.
:class:`clonesim.engine.EngineState` builds them once per patient. A call
passes every array of every group it is given (each costs a reference count
in and out), so what runs for every clone at every step (:func:`clone_rates`,
:func:`_mutant_count`) takes only what it reads.

Constants passed to another kernel are written ``np.int64(1)`` or
``np.bool_(True)``, never ``1`` or ``True``: numba compiles a separate copy of
the callee for each literal constant it is called with, and these copies
(of :func:`_mutants`, :func:`_deliver`, :func:`_emit`, :func:`_split_moves`)
were about a third of the cold-start compile time (``benchmarks/startup.md``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .birth_death import sample_birth_death
from .layout import (CHUNK_DONE, DETECTED, DRUG_COST, DRUG_INTERVAL, DRUG_KILL_FRACTION,
                     DRUG_KILL_RATE, DRUG_MUT, DRUG_PROTECT, DRUG_PULSED, EXACT_ARRIVALS,
                     EXTINCT, LETHAL, N_ENTRIES, N_REC, N_SLOTS, N_STEPS, P_DETECTION,
                     P_LETHAL, P_RECORD_DT, P_STEP_TOL, REACHED_T_STOP, RECORD_FULL,
                     SITE_CAPACITY, SITE_LETHAL, SLOT_ANY, SLOT_BIRTH, SLOT_MULTI, SLOT_Q,
                     T_NEXT_RECORD, T_NOW)


@njit(cache=True)
def split_type(ty, n_drugs):
    """Split a type id into (genotype bitmask, class); the class packs state and site
    and indexes the per-class tables."""
    return ty & ((1 << n_drugs) - 1), ty >> n_drugs


@njit(cache=True)
def _site_lethal(site_tot, sites):
    """Whether a site has reached its own lethal burden (a brain long before the total)."""
    for s in range(site_tot.size):
        if site_tot[s] >= sites[s, SITE_LETHAL]:
            return True
    return False


@njit(cache=True)
def decode(ty, n_drugs, n_states):
    """Split a type id into (genotype bitmask, phenotype state, site)."""
    geno, cls = split_type(ty, n_drugs)
    return geno, cls % n_states, cls // n_states


@njit(cache=True)
def slot_for(ty, clones, counters, model, drugs):
    """Return the slot of type ``ty``, creating it (count 0) on first sight.

    A new slot caches what never changes for its type: the birth rate after
    resistance costs; ``q`` = P(newborn carries no new resistance); for each
    drug j, P(newborn gains exactly resistance j); and P(two or more). Each is
    built by recursions that add only positive terms (``1 - q - sum(singles)``
    would cancel for small ``u``).
    """
    k = clones.slot_of[ty]
    if k >= 0:
        return k
    n_drugs = model.dims[0]
    drug_f = drugs.drug_f
    slot_static = clones.slot_static
    ints = counters.ints
    k = ints[N_SLOTS]
    ints[N_SLOTS] = k + 1
    clones.slot_of[ty] = k
    clones.types[k] = ty
    clones.counts[k] = 0
    geno, cls = split_type(ty, n_drugs)
    birth = model.cls_rates[cls, 0]
    p0, p1, p2 = 1.0, 0.0, 0.0  # P(0 new), P(exactly 1), P(2 or more)
    for j in range(n_drugs):
        if (geno >> j) & 1:
            birth *= 1.0 - drug_f[j, DRUG_COST]
        else:
            u = drug_f[j, DRUG_MUT]
            p2 = p2 + p1 * u
            p1 = p1 * (1.0 - u) + p0 * u
            p0 = p0 * (1.0 - u)
    slot_static[k, SLOT_BIRTH] = birth
    slot_static[k, SLOT_Q] = p0
    slot_static[k, SLOT_MULTI] = p2
    slot_static[k, SLOT_ANY] = p1 + p2
    for j in range(n_drugs):
        single = 0.0
        if ((geno >> j) & 1) == 0 and drug_f[j, DRUG_MUT] > 0.0:
            single = drug_f[j, DRUG_MUT]
            for i in range(n_drugs):
                if i != j and ((geno >> i) & 1) == 0:
                    single *= 1.0 - drug_f[i, DRUG_MUT]
        clones.slot_single[k, j] = single
    return k


@njit(cache=True)
def clone_rates(ty, birth, site_tot, model, drugs):
    """Birth rate (before mutation) and death rate right now of a clone of type
    ``ty`` whose cached birth rate is ``birth`` (its ``slot_static[k, SLOT_BIRTH]``),
    with ``site_tot`` cells at each site.

    It takes these rather than the :class:`Clones` group because it runs for every
    clone at every step, and each array passed costs a reference count each way.
    """
    n_drugs, n_states = model.dims[0], model.dims[1]
    drug_f = drugs.drug_f
    geno, state, site = decode(ty, n_drugs, n_states)
    capacity = model.sites[site, SITE_CAPACITY]
    if capacity > 0.0:
        birth *= max(0.0, 1.0 - site_tot[site] / capacity)
    death = model.cls_rates[split_type(ty, n_drugs)[1], 1]
    for j in range(n_drugs):
        if (drugs.given[j] > 0.0 and drug_f[j, DRUG_PULSED] == 0.0
                and (geno & np.int64(drug_f[j, DRUG_PROTECT])) == 0):
            death += (drug_f[j, DRUG_KILL_RATE] * drugs.targets[j, state]
                      * drugs.penetration[j, site])
    return birth, death


@njit(cache=True)
def expected_cell_time(birth, death, t):
    """Expected cell-days lived by the lineage of one cell over ``t`` days:
    integral of exp((b - d) s) ds = expm1((b - d) t) / (b - d)."""
    r = birth - death
    x = r * t
    if abs(x) < 1e-10:
        return t * (1.0 + 0.5 * x)
    return math.expm1(x) / r


@njit(cache=True)
def arrival_time(n0, n1, tau, rng):
    """Draw a birth time in [0, tau) from the density proportional to the
    linear path from ``n0`` to ``n1`` (the path whose area the trapezoid is)."""
    a = float(n0)
    c = (float(n1) - a) / tau
    area = rng.random() * 0.5 * tau * (a + float(n1))
    disc = a * a + 2.0 * c * area
    return 2.0 * area / (a + math.sqrt(max(disc, 0.0)))


@njit(cache=True)
def multi_target(geno, drug_f, n_drugs, rng):
    """Draw the set of new resistances of a newborn known to carry two or more.

    Each free drug j mutates with probability u_j independently; conditioning
    on "at least two" is done drug by drug with suffix probabilities
    (S1 = P(>=1 among the rest), S2 = P(>=2 among the rest)), which is exact
    and costs O(n_drugs).
    """
    s1 = np.zeros(n_drugs + 1)
    s2 = np.zeros(n_drugs + 1)
    for j in range(n_drugs - 1, -1, -1):
        u = 0.0 if (geno >> j) & 1 else drug_f[j, DRUG_MUT]
        s1[j] = u + (1.0 - u) * s1[j + 1]
        s2[j] = u * s1[j + 1] + (1.0 - u) * s2[j + 1]
    need = 2
    out = geno
    for j in range(n_drugs):
        if (geno >> j) & 1:
            continue
        u = drug_f[j, DRUG_MUT]
        if u == 0.0:
            continue
        if need == 0:
            p = u
        elif need == 1:
            p = u / s1[j]
        else:
            p = u * s1[j + 1] / s2[j]
        if rng.random() < p:
            out |= 1 << j
            if need > 0:
                need -= 1
    return out


@njit(cache=True)
def record_row(t, clones, counters, records):
    """Append the non-zero counts at time ``t`` to the sparse record (CSR rows)."""
    ints = counters.ints
    counts = clones.counts
    r = ints[N_REC]
    z = ints[N_ENTRIES]
    records.rec_t[r] = t
    for k in range(ints[N_SLOTS]):
        if counts[k] > 0:
            records.rec_slot[z] = k
            records.rec_count[z] = counts[k]
            z += 1
    records.rec_ptr[r + 1] = z
    ints[N_REC] = r + 1
    ints[N_ENTRIES] = z


@njit(cache=True, inline="always")
def _emit(target, m, n0, n1, tau, clones, counters, model, drugs, rng):
    """Deliver ``m`` newborns of type ``target`` born during a step of length ``tau``,
    and add the cell-days their lineages live before the step ends to the
    target's ``exposure`` (they make mutants of their own in the same step)."""
    kt = slot_for(target, clones, counters, model, drugs)
    b, d = clone_rates(clones.types[kt], clones.slot_static[kt, SLOT_BIRTH], clones.site_tot,
                       model, drugs)
    b = b * clones.slot_static[kt, SLOT_Q]
    if m <= EXACT_ARRIVALS:
        for _ in range(m):
            s = arrival_time(n0, n1, tau, rng)
            clones.incoming[kt] += sample_birth_death(np.int64(1), b, d, tau - s, rng)
            clones.exposure[kt] += expected_cell_time(b, d, tau - s)
    else:
        clones.incoming[kt] += sample_birth_death(m, b, d, 0.5 * tau, rng)
        clones.exposure[kt] += m * expected_cell_time(b, d, 0.5 * tau)


@njit(cache=True)
def _mutant_count(scale, p_any, rng):
    """Draw how many newborns carry any new resistance: Poisson with mean
    ``scale * p_any``, ``scale`` being b times the cell-days at risk and ``p_any``
    the clone's P(newborn gains any new resistance)."""
    if scale <= 0.0 or p_any <= 0.0:
        return 0
    return rng.poisson(scale * p_any)


@njit(cache=True)
def _mutants(k, m_all, timed, n0, n1, tau, clones, counters, model, drugs, rng):
    """Deliver the ``m_all`` newborns of slot ``k`` that carry some new resistance.

    They are one Poisson count (:func:`_mutant_count`; callers skip zero, so a
    quiet clone costs one draw and no call here); Poisson thinning splits it
    exactly into the single-resistance targets and the rare multi-resistance
    class with sequential binomials, so a clone costs one draw instead of D + 1.
    With ``timed`` they are delivered along the step's path (see :func:`_emit`);
    without it (mutants of cells that themselves arrived during the step)
    they are added at the step's end.
    """
    n_drugs = model.dims[0]
    ty = clones.types[k]
    geno = split_type(ty, n_drugs)[0]
    high = ty - geno  # the state and site bits, kept by every mutant
    rest = clones.slot_static[k, SLOT_ANY]  # mass of the classes not yet split off
    for j in range(n_drugs):
        p_j = clones.slot_single[k, j]
        if p_j <= 0.0 or m_all == 0:
            continue
        m = m_all if p_j >= rest else rng.binomial(m_all, p_j / rest)
        rest = _remaining_mass(k, j, clones, n_drugs)
        m_all -= m
        if m > 0:
            _deliver(high | geno | (1 << j), m, timed, n0, n1, tau, clones, counters, model,
                     drugs, rng)
    for _ in range(m_all):  # two or more new resistances at once: rare, one at a time
        target = high | multi_target(geno, drugs.drug_f, n_drugs, rng)
        _deliver(target, np.int64(1), timed, n0, n1, tau, clones, counters, model, drugs, rng)


@njit(cache=True, inline="always")
def _deliver(target, m, timed, n0, n1, tau, clones, counters, model, drugs, rng):
    if timed:
        _emit(target, m, n0, n1, tau, clones, counters, model, drugs, rng)
    else:
        kt = slot_for(target, clones, counters, model, drugs)
        clones.incoming[kt] += m


@njit(cache=True, inline="always")
def _moves(k, n0, n1, tau, clones, counters, model, drugs, rng):
    """Cells of slot ``k`` that switch phenotype or migrate during the step.

    Each cell leaves with probability ``1 - exp(-out * tau)``: one binomial
    draw, taken from the clone (so cells are conserved and pure switching has
    exactly the binomial variance of independent cells), split exactly among
    the target classes by thinning, and delivered along the step's path like
    mutant newborns. Cells born during the step are treated as if present
    all along: an error of second order in the step.
    """
    counts = clones.counts
    out = model.cls_rates[split_type(clones.types[k], model.dims[0])[1], 2]
    if out <= 0.0 or counts[k] == 0:
        return
    m_all = rng.binomial(counts[k], -math.expm1(-out * tau))
    if m_all == 0:
        return
    counts[k] -= m_all
    _split_moves(k, m_all, np.bool_(True), n0, n1, tau, clones, counters, model, drugs, rng)


@njit(cache=True)
def _split_moves(k, m_all, timed, n0, n1, tau, clones, counters, model, drugs, rng):
    """Split ``m_all`` moving cells of slot ``k`` among the target classes
    (exact thinning by the rates) and deliver them."""
    n_drugs = model.dims[0]
    moves = model.moves
    geno, cls = split_type(clones.types[k], n_drugs)
    rest = model.cls_rates[cls, 2]
    n_cls = moves.shape[0]
    for c in range(n_cls):
        rate = moves[cls, c]
        if rate <= 0.0 or m_all == 0:
            continue
        m = m_all if rate >= rest else rng.binomial(m_all, rate / rest)
        rest = 0.0
        for c2 in range(c + 1, n_cls):  # summed from the back: no cancellation
            rest += moves[cls, c2]
        m_all -= m
        if m > 0:
            _deliver((c << n_drugs) | geno, m, timed, n0, n1, tau, clones, counters, model,
                     drugs, rng)


@njit(cache=True)
def thin_site(site, fraction, clones, counters, model, rng):
    """Remove ``fraction`` of the cells at one site, each independently
    (surgery, or radiation, which kills whatever the genotype): exact binomial."""
    n_drugs, n_states = model.dims[0], model.dims[1]
    counts = clones.counts
    for k in range(counters.ints[N_SLOTS]):
        n = counts[k]
        if n > 0 and decode(clones.types[k], n_drugs, n_states)[2] == site:
            if fraction >= 1.0:
                counts[k] = 0
            else:
                counts[k] = rng.binomial(n, 1.0 - fraction)


@njit(cache=True)
def _second_order(tau, clones, counters, model, drugs, rng):
    """Mutants made, within the same step, by cells that arrived during it.

    Without this pass a genotype two mutations away from its founder would
    be undercounted by an error of first order in the step; with it the
    error is of second order (their own mutants arrive at the step's end).
    """
    ints = counters.ints
    exposure = clones.exposure
    incoming = clones.incoming
    for k in range(ints[N_SLOTS]):
        cell_days = exposure[k]
        if cell_days <= 0.0:
            continue
        exposure[k] = 0.0
        b, d = clone_rates(clones.types[k], clones.slot_static[k, SLOT_BIRTH], clones.site_tot,
                           model, drugs)
        m_all = _mutant_count(b * cell_days, clones.slot_static[k, SLOT_ANY], rng)
        if m_all > 0:
            _mutants(k, m_all, np.bool_(False), np.int64(0), np.int64(0), tau, clones, counters, model, drugs, rng)
        out = model.cls_rates[split_type(clones.types[k], model.dims[0])[1], 2]
        if out > 0.0 and incoming[k] > 0:
            # arrivals that switch or migrate on within the same step
            m = min(rng.poisson(out * cell_days), incoming[k])
            if m > 0:
                incoming[k] -= m
                _split_moves(k, m, np.bool_(False), np.int64(0), np.int64(0), tau, clones, counters, model, drugs, rng)
    for k in range(ints[N_SLOTS]):
        exposure[k] = 0.0


@njit(cache=True)
def _remaining_mass(k, j, clones, n_drugs):
    """P(newborn's new resistances fall in a class after single-drug class ``j``),
    summed from the back so that no small probability is lost to cancellation."""
    total = clones.slot_static[k, SLOT_MULTI]
    for i in range(j + 1, n_drugs):
        total += clones.slot_single[k, i]
    return total


@njit(cache=True)
def _apply_doses(t, clones, counters, records, model, drugs, rng):
    """Give every pulsed dose due at ``t``; return True if any was given.

    Each susceptible cell dies independently with probability
    ``kill_fraction * penetration``, so the survivors of a clone are one
    binomial draw (log-kill, exact).
    """
    n_drugs, n_states = model.dims[0], model.dims[1]
    drug_f = drugs.drug_f
    counts = clones.counts
    dosed = False
    for j in range(n_drugs):
        if (drugs.given[j] == 0.0 or drug_f[j, DRUG_PULSED] == 0.0
                or drugs.next_dose[j] > t + 1e-9):
            continue
        if not dosed:
            record_row(t, clones, counters, records)
            dosed = True
        for k in range(counters.ints[N_SLOTS]):
            n = counts[k]
            if n == 0:
                continue
            geno, state, site = decode(clones.types[k], n_drugs, n_states)
            if geno & np.int64(drug_f[j, DRUG_PROTECT]):
                continue
            kill = (drug_f[j, DRUG_KILL_FRACTION] * drugs.targets[j, state]
                    * drugs.penetration[j, site])
            if kill >= 1.0:
                counts[k] = 0
            elif kill > 0.0:
                counts[k] = rng.binomial(n, 1.0 - kill)
        drugs.next_dose[j] += drug_f[j, DRUG_INTERVAL]
    if dosed:
        record_row(t, clones, counters, records)
    return dosed


@njit(cache=True)
def advance(clones, counters, records, model, drugs, t_stop, watch_detection, max_steps, rng):
    """Advance the tumour until something needs Python's attention.

    Steps are as long as ``step_tolerance / max(max(b, d) + moves)`` over the
    non-empty clones, and end exactly at every pulsed dose and at ``t_stop``.

    Parameters
    ----------
    clones
        :class:`Clones`: clone state (int64 counts, int64 type ids, the type ->
        slot map), cached per-slot rates and work arrays, all sized by the
        caller (:class:`clonesim.engine.EngineState`).
    counters
        :class:`Counters`: slot/record/step counters; time and next record time.
    records
        :class:`Records`: the trajectory, as sparse rows (time, then slot/count pairs).
    model, drugs
        :class:`Model` and :class:`Drugs`: the model as arrays (see
        :mod:`clonesim.model`): per class (state and site) base birth, death and
        total move-out rate; class-to-class move rates (phenotype switching,
        migration); sites; drugs, and per drug whether it is given now and its
        next pulsed dose time.
    t_stop
        Return ``REACHED_T_STOP`` at this time (a scan, or the horizon).
    watch_detection
        Return ``DETECTED`` as soon as the burden reaches the detection size.
    max_steps
        Return ``CHUNK_DONE`` after this many steps.
    rng
        ``numpy.random.Generator``; the only source of randomness.

    Returns
    -------
    int
        An exit code (``CHUNK_DONE``, ``REACHED_T_STOP``, ``EXTINCT``,
        ``LETHAL``, ``DETECTED`` or ``RECORD_FULL``).
    """
    n_drugs, n_states = model.dims[0], model.dims[1]
    counts, types, scratch, site_tot = clones.counts, clones.types, clones.scratch, clones.site_tot
    slot_static, incoming, exposure = clones.slot_static, clones.incoming, clones.exposure
    ints, clock = counters.ints, counters.clock
    given, next_dose, drug_f = drugs.given, drugs.next_dose, drugs.drug_f
    cls_rates, params = model.cls_rates, model.params
    detection = params[P_DETECTION]
    lethal = params[P_LETHAL]
    step_tol = params[P_STEP_TOL]
    record_dt = params[P_RECORD_DT]
    steps = 0
    while True:
        if (ints[N_REC] + 4 > records.rec_t.size
                or ints[N_ENTRIES] + 4 * ints[N_SLOTS] > records.rec_slot.size):
            return RECORD_FULL
        t = clock[T_NOW]
        n_slots = ints[N_SLOTS]
        total = 0
        site_tot[:] = 0.0
        for k in range(n_slots):
            c = counts[k]
            if c > 0:
                total += c
                site_tot[decode(types[k], n_drugs, n_states)[2]] += c
        just_recorded = False
        if t >= clock[T_NEXT_RECORD] - 1e-9:
            record_row(t, clones, counters, records)
            just_recorded = True
            clock[T_NEXT_RECORD] += record_dt * (1.0 + math.floor(
                (t - clock[T_NEXT_RECORD]) / record_dt + 1e-9))
        code = -1
        if total == 0:
            code = EXTINCT
        elif total >= lethal or _site_lethal(site_tot, model.sites):
            code = LETHAL
        elif watch_detection and total >= detection:
            code = DETECTED
        elif t >= t_stop - 1e-9:
            code = REACHED_T_STOP
            clock[T_NOW] = t_stop  # exactly, so callers may compare times with ==
            t = t_stop
        if code >= 0:
            if not just_recorded:
                record_row(t, clones, counters, records)
            return code
        # A call passing the groups costs more than a quiet step's work, so the
        # per-step helpers are only called when they have something to do.
        next_pulse = t_stop
        for j in range(n_drugs):
            if given[j] > 0.0 and drug_f[j, DRUG_PULSED] > 0.0 and next_dose[j] < next_pulse:
                next_pulse = next_dose[j]
        if next_pulse <= t + 1e-9 and _apply_doses(t, clones, counters, records, model, drugs,
                                                   rng):
            continue  # re-read the burden: a dose may have cured the tumour
        if steps >= max_steps:
            return CHUNK_DONE

        # The step: as long as allowed, never past a dose, a record or t_stop.
        fastest = 0.0
        for k in range(n_slots):
            if counts[k] > 0:
                b, d = clone_rates(types[k], slot_static[k, SLOT_BIRTH], site_tot, model, drugs)
                scratch[k, 0] = b
                scratch[k, 1] = d
                # the approximations scale with births (mutant timing) and with
                # |b - d| (path shape), so max(b, d) sets the pace, moves too
                lam = max(b, d) + cls_rates[split_type(types[k], n_drugs)[1], 2]
                if lam > fastest:
                    fastest = lam
        # Records are taken at the first step end on or after each record time,
        # so they never shorten a step.
        t_next = next_pulse
        if fastest > 0.0 and t + step_tol / fastest < t_next - 1e-9:
            t_next = t + step_tol / fastest  # (never a sliver short of an event)
        tau = t_next - t
        for k in range(n_slots):
            n0 = counts[k]
            if n0 == 0:
                continue
            # a clone's own births and deaths, exact; written out here rather
            # than in a helper, as it runs for every clone at every step
            birth = scratch[k, 0]
            n1 = sample_birth_death(n0, birth * slot_static[k, SLOT_Q], scratch[k, 1], tau, rng)
            counts[k] = n1
            if birth > 0.0 and slot_static[k, SLOT_ANY] > 0.0:
                m_all = _mutant_count(birth * 0.5 * tau * (n0 + n1), slot_static[k, SLOT_ANY], rng)
                if m_all > 0:
                    _mutants(k, m_all, np.bool_(True), n0, n1, tau, clones, counters, model, drugs, rng)
            if cls_rates[split_type(types[k], n_drugs)[1], 2] > 0.0:
                _moves(k, n0, n1, tau, clones, counters, model, drugs, rng)
        exposed = False
        for k in range(ints[N_SLOTS]):
            if exposure[k] > 0.0:
                exposed = True
                break
        if exposed:
            _second_order(tau, clones, counters, model, drugs, rng)
        for k in range(ints[N_SLOTS]):
            if incoming[k] != 0:
                counts[k] += incoming[k]
                incoming[k] = 0
        clock[T_NOW] = t_next
        steps += 1
        ints[N_STEPS] += 1
