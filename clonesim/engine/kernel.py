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
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .birth_death import sample_birth_death

# Exit codes of :func:`advance`.
CHUNK_DONE = 0  # max_steps taken; call again (lets Python handle Ctrl-C, progress)
REACHED_T_STOP = 1
EXTINCT = 2
LETHAL = 3
DETECTED = 4
RECORD_FULL = 5  # the record buffers need to grow; call again after growing

EXIT_NAMES = ("chunk done", "reached t_stop", "extinct", "lethal", "detected", "record full")

#: Up to this many mutant arrivals per step and target are timed one by one.
EXACT_ARRIVALS = 4

# Columns of the per-drug parameter table ``drug_f``.
DRUG_PULSED, DRUG_KILL_FRACTION, DRUG_KILL_RATE, DRUG_INTERVAL, DRUG_COST, DRUG_MUT = range(6)
# Columns of the per-slot static table ``slot_static``.
SLOT_BIRTH, SLOT_Q, SLOT_MULTI, SLOT_ANY = range(4)
# Entries of ``ints`` and ``clock``.
N_SLOTS, N_REC, N_ENTRIES, N_STEPS = range(4)
T_NOW, T_NEXT_RECORD = range(2)
# Entries of ``params``.
P_DETECTION, P_LETHAL, P_STEP_TOL, P_RECORD_DT = range(4)


@njit(cache=True)
def decode(ty, n_drugs, n_states):
    """Split a type id into (genotype bitmask, phenotype state, site)."""
    geno = ty & ((1 << n_drugs) - 1)
    cls = ty >> n_drugs
    return geno, cls % n_states, cls // n_states


@njit(cache=True)
def slot_for(ty, counts, types, slot_of, slot_static, slot_single, ints, cls_rates, drug_f,
             dims):
    """Return the slot of type ``ty``, creating it (count 0) on first sight.

    A new slot caches what never changes for its type: the birth rate after
    resistance costs; ``q`` = P(newborn carries no new resistance); for each
    drug j, P(newborn gains exactly resistance j); and P(two or more). Each is
    built by recursions that add only positive terms (``1 - q - sum(singles)``
    would cancel for small ``u``).
    """
    k = slot_of[ty]
    if k >= 0:
        return k
    n_drugs = dims[0]
    k = ints[N_SLOTS]
    ints[N_SLOTS] = k + 1
    slot_of[ty] = k
    types[k] = ty
    counts[k] = 0
    geno = ty & ((1 << n_drugs) - 1)
    cls = ty >> n_drugs
    birth = cls_rates[cls, 0]
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
        slot_single[k, j] = single
    return k


@njit(cache=True)
def clone_rates(k, types, slot_static, cls_rates, drug_f, targets, penetration, capacity,
                given, site_tot, dims):
    """Birth rate (before mutation) and death rate of slot ``k`` right now."""
    n_drugs, n_states = dims[0], dims[1]
    geno, state, site = decode(types[k], n_drugs, n_states)
    birth = slot_static[k, SLOT_BIRTH]
    if capacity[site] > 0.0:
        birth *= max(0.0, 1.0 - site_tot[site] / capacity[site])
    death = cls_rates[types[k] >> n_drugs, 1]
    for j in range(n_drugs):
        if given[j] > 0.0 and drug_f[j, DRUG_PULSED] == 0.0 and ((geno >> j) & 1) == 0:
            death += drug_f[j, DRUG_KILL_RATE] * targets[j, state] * penetration[j, site]
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
def record_row(t, counts, ints, rec_t, rec_ptr, rec_slot, rec_count):
    """Append the non-zero counts at time ``t`` to the sparse record (CSR rows)."""
    r = ints[N_REC]
    z = ints[N_ENTRIES]
    rec_t[r] = t
    for k in range(ints[N_SLOTS]):
        if counts[k] > 0:
            rec_slot[z] = k
            rec_count[z] = counts[k]
            z += 1
    rec_ptr[r + 1] = z
    ints[N_REC] = r + 1
    ints[N_ENTRIES] = z


@njit(cache=True)
def _emit(target, m, n0, n1, tau, counts, types, slot_of, incoming, exposure, slot_static,
          slot_single, ints, cls_rates, drug_f, targets, penetration, capacity, given, site_tot,
          dims, rng):
    """Deliver ``m`` newborns of type ``target`` born during a step of length ``tau``,
    and add the cell-days their lineages live before the step ends to the
    target's ``exposure`` (they make mutants of their own in the same step)."""
    kt = slot_for(target, counts, types, slot_of, slot_static, slot_single, ints, cls_rates,
                  drug_f, dims)
    b, d = clone_rates(kt, types, slot_static, cls_rates, drug_f, targets, penetration,
                       capacity, given, site_tot, dims)
    b = b * slot_static[kt, SLOT_Q]
    if m <= EXACT_ARRIVALS:
        for _ in range(m):
            s = arrival_time(n0, n1, tau, rng)
            incoming[kt] += sample_birth_death(1, b, d, tau - s, rng)
            exposure[kt] += expected_cell_time(b, d, tau - s)
    else:
        incoming[kt] += sample_birth_death(m, b, d, 0.5 * tau, rng)
        exposure[kt] += m * expected_cell_time(b, d, 0.5 * tau)


@njit(cache=True)
def _mutants(k, scale, timed, n0, n1, tau, counts, types, slot_of, incoming, exposure,
             slot_static, slot_single, ints, cls_rates, drug_f, targets, penetration, capacity,
             given, site_tot, dims, rng):
    """Mutant newborns of slot ``k``: ``scale`` is b times the cell-days at risk.

    Newborns carrying any new resistance are one Poisson count (mean
    ``scale * P(any)``); Poisson thinning splits it exactly into the
    single-resistance targets and the rare multi-resistance class with
    sequential binomials, so a quiet clone costs one draw instead of D + 1.
    With ``timed`` they are delivered along the step's path (see :func:`_emit`);
    without it (mutants of cells that themselves arrived during the step)
    they are added at the step's end.
    """
    n_drugs = dims[0]
    p_any = slot_static[k, SLOT_ANY]
    if scale <= 0.0 or p_any <= 0.0:
        return
    m_all = rng.poisson(scale * p_any)
    if m_all == 0:
        return
    ty = types[k]
    geno = ty & ((1 << n_drugs) - 1)
    high = ty - geno  # the state and site bits, kept by every mutant
    rest = p_any  # probability mass of the classes not yet split off
    for j in range(n_drugs):
        p_j = slot_single[k, j]
        if p_j <= 0.0 or m_all == 0:
            continue
        m = m_all if p_j >= rest else rng.binomial(m_all, p_j / rest)
        rest = _remaining_mass(k, j, slot_static, slot_single, n_drugs)
        m_all -= m
        if m > 0:
            _deliver(high | geno | (1 << j), m, timed, n0, n1, tau, counts, types, slot_of,
                     incoming, exposure, slot_static, slot_single, ints, cls_rates, drug_f,
                     targets, penetration, capacity, given, site_tot, dims, rng)
    for _ in range(m_all):  # two or more new resistances at once: rare, one at a time
        target = high | multi_target(geno, drug_f, n_drugs, rng)
        _deliver(target, 1, timed, n0, n1, tau, counts, types, slot_of, incoming, exposure,
                 slot_static, slot_single, ints, cls_rates, drug_f, targets, penetration,
                 capacity, given, site_tot, dims, rng)


@njit(cache=True)
def _deliver(target, m, timed, n0, n1, tau, counts, types, slot_of, incoming, exposure,
             slot_static, slot_single, ints, cls_rates, drug_f, targets, penetration, capacity,
             given, site_tot, dims, rng):
    if timed:
        _emit(target, m, n0, n1, tau, counts, types, slot_of, incoming, exposure, slot_static,
              slot_single, ints, cls_rates, drug_f, targets, penetration, capacity, given,
              site_tot, dims, rng)
    else:
        kt = slot_for(target, counts, types, slot_of, slot_static, slot_single, ints,
                      cls_rates, drug_f, dims)
        incoming[kt] += m


@njit(cache=True)
def _moves(k, n0, n1, tau, counts, types, slot_of, incoming, exposure, slot_static,
           slot_single, ints, cls_rates, moves, drug_f, targets, penetration, capacity, given,
           site_tot, dims, rng):
    """Cells of slot ``k`` that switch phenotype or migrate during the step.

    Each cell leaves with probability ``1 - exp(-out * tau)``: one binomial
    draw, taken from the clone (so cells are conserved and pure switching has
    exactly the binomial variance of independent cells), split exactly among
    the target classes by thinning, and delivered along the step's path like
    mutant newborns. Cells born during the step are treated as if present
    all along: an error of second order in the step.
    """
    n_drugs = dims[0]
    cls = types[k] >> n_drugs
    out = cls_rates[cls, 2]
    if out <= 0.0 or counts[k] == 0:
        return
    m_all = rng.binomial(counts[k], -math.expm1(-out * tau))
    if m_all == 0:
        return
    counts[k] -= m_all
    _split_moves(k, m_all, True, n0, n1, tau, counts, types, slot_of, incoming, exposure,
                 slot_static, slot_single, ints, cls_rates, moves, drug_f, targets, penetration,
                 capacity, given, site_tot, dims, rng)


@njit(cache=True)
def _split_moves(k, m_all, timed, n0, n1, tau, counts, types, slot_of, incoming, exposure,
                 slot_static, slot_single, ints, cls_rates, moves, drug_f, targets, penetration,
                 capacity, given, site_tot, dims, rng):
    """Split ``m_all`` moving cells of slot ``k`` among the target classes
    (exact thinning by the rates) and deliver them."""
    n_drugs = dims[0]
    cls = types[k] >> n_drugs
    geno = types[k] & ((1 << n_drugs) - 1)
    rest = cls_rates[cls, 2]
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
            _deliver((c << n_drugs) | geno, m, timed, n0, n1, tau, counts, types, slot_of,
                     incoming, exposure, slot_static, slot_single, ints, cls_rates, drug_f,
                     targets, penetration, capacity, given, site_tot, dims, rng)


@njit(cache=True)
def thin_site(site, fraction, counts, types, ints, dims, rng):
    """Remove ``fraction`` of the cells at one site, each independently
    (surgery, or radiation, which kills whatever the genotype): exact binomial."""
    n_drugs, n_states = dims[0], dims[1]
    for k in range(ints[N_SLOTS]):
        n = counts[k]
        if n > 0 and ((types[k] >> n_drugs) // n_states) == site:
            if fraction >= 1.0:
                counts[k] = 0
            else:
                counts[k] = rng.binomial(n, 1.0 - fraction)


@njit(cache=True)
def _second_order(tau, counts, types, slot_of, incoming, exposure, slot_static, slot_single,
                  ints, cls_rates, moves, drug_f, targets, penetration, capacity, given, site_tot,
                  dims, rng):
    """Mutants made, within the same step, by cells that arrived during it.

    Without this pass a genotype two mutations away from its founder would
    be undercounted by an error of first order in the step; with it the
    error is of second order (their own mutants arrive at the step's end).
    """
    for k in range(ints[N_SLOTS]):
        cell_days = exposure[k]
        if cell_days <= 0.0:
            continue
        exposure[k] = 0.0
        b, d = clone_rates(k, types, slot_static, cls_rates, drug_f, targets, penetration,
                           capacity, given, site_tot, dims)
        _mutants(k, b * cell_days, False, 0, 0, tau, counts, types, slot_of, incoming,
                 exposure, slot_static, slot_single, ints, cls_rates, drug_f, targets,
                 penetration, capacity, given, site_tot, dims, rng)
        out = cls_rates[types[k] >> dims[0], 2]
        if out > 0.0 and incoming[k] > 0:
            # arrivals that switch or migrate on within the same step
            m = min(rng.poisson(out * cell_days), incoming[k])
            if m > 0:
                incoming[k] -= m
                _split_moves(k, m, False, 0, 0, tau, counts, types, slot_of, incoming,
                             exposure, slot_static, slot_single, ints, cls_rates, moves,
                             drug_f, targets, penetration, capacity, given, site_tot, dims, rng)
    for k in range(ints[N_SLOTS]):
        exposure[k] = 0.0


@njit(cache=True)
def _remaining_mass(k, j, slot_static, slot_single, n_drugs):
    """P(newborn's new resistances fall in a class after single-drug class ``j``),
    summed from the back so that no small probability is lost to cancellation."""
    total = slot_static[k, SLOT_MULTI]
    for i in range(j + 1, n_drugs):
        total += slot_single[k, i]
    return total


@njit(cache=True)
def _apply_doses(t, counts, types, ints, given, next_dose, drug_f, targets, penetration, dims,
                 rec_t, rec_ptr, rec_slot, rec_count, rng):
    """Give every pulsed dose due at ``t``; return True if any was given.

    Each susceptible cell dies independently with probability
    ``kill_fraction * penetration``, so the survivors of a clone are one
    binomial draw (log-kill, exact).
    """
    n_drugs, n_states = dims[0], dims[1]
    dosed = False
    for j in range(n_drugs):
        if given[j] == 0.0 or drug_f[j, DRUG_PULSED] == 0.0 or next_dose[j] > t + 1e-9:
            continue
        if not dosed:
            record_row(t, counts, ints, rec_t, rec_ptr, rec_slot, rec_count)
            dosed = True
        for k in range(ints[N_SLOTS]):
            n = counts[k]
            if n == 0:
                continue
            geno, state, site = decode(types[k], n_drugs, n_states)
            if (geno >> j) & 1:
                continue
            kill = drug_f[j, DRUG_KILL_FRACTION] * targets[j, state] * penetration[j, site]
            if kill >= 1.0:
                counts[k] = 0
            elif kill > 0.0:
                counts[k] = rng.binomial(n, 1.0 - kill)
        next_dose[j] += drug_f[j, DRUG_INTERVAL]
    if dosed:
        record_row(t, counts, ints, rec_t, rec_ptr, rec_slot, rec_count)
    return dosed


@njit(cache=True)
def advance(counts, types, slot_of, incoming, exposure, slot_static, slot_single, scratch,
            site_tot, ints, clock, given, next_dose, rec_t, rec_ptr, rec_slot, rec_count,
            cls_rates, moves, drug_f, targets, penetration, capacity, params, dims,
            t_stop, watch_detection, max_steps, rng):
    """Advance the tumour until something needs Python's attention.

    Steps are as long as ``step_tolerance / max(max(b, d) + moves)`` over the
    non-empty clones, and end exactly at every pulsed dose and at ``t_stop``.

    Parameters
    ----------
    counts, types, slot_of, incoming, exposure, slot_static, slot_single, scratch, site_tot
        Clone state (int64 counts, int64 type ids, the type -> slot map) and
        work arrays, all sized by the caller (:class:`clonesim.engine.EngineState`).
    ints, clock
        Scalars kept between calls: slot/record/step counters; time and next
        record time.
    given, next_dose
        Per drug: 1.0 while the drug is given; the next pulsed dose time.
    rec_t, rec_ptr, rec_slot, rec_count
        The trajectory, as sparse rows (time, then slot/count pairs).
    cls_rates, moves, drug_f, targets, penetration, capacity, params, dims
        The model as arrays (see :mod:`clonesim.model`): per class (state and
        site) base birth, death and total move-out rate; class-to-class move
        rates (phenotype switching, migration); drugs; sites.
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
    n_drugs, n_states = dims[0], dims[1]
    detection = params[P_DETECTION]
    lethal = params[P_LETHAL]
    step_tol = params[P_STEP_TOL]
    record_dt = params[P_RECORD_DT]
    steps = 0
    while True:
        if (ints[N_REC] + 4 > rec_t.size
                or ints[N_ENTRIES] + 4 * ints[N_SLOTS] > rec_slot.size):
            return RECORD_FULL
        t = clock[T_NOW]
        n_slots = ints[N_SLOTS]
        total = 0
        site_tot[:] = 0.0
        for k in range(n_slots):
            c = counts[k]
            if c > 0:
                total += c
                site_tot[(types[k] >> n_drugs) // n_states] += c
        just_recorded = False
        if t >= clock[T_NEXT_RECORD] - 1e-9:
            record_row(t, counts, ints, rec_t, rec_ptr, rec_slot, rec_count)
            just_recorded = True
            clock[T_NEXT_RECORD] += record_dt * (1.0 + math.floor(
                (t - clock[T_NEXT_RECORD]) / record_dt + 1e-9))
        code = -1
        if total == 0:
            code = EXTINCT
        elif total >= lethal:
            code = LETHAL
        elif watch_detection and total >= detection:
            code = DETECTED
        elif t >= t_stop - 1e-9:
            code = REACHED_T_STOP
            clock[T_NOW] = t_stop  # exactly, so callers may compare times with ==
            t = t_stop
        if code >= 0:
            if not just_recorded:
                record_row(t, counts, ints, rec_t, rec_ptr, rec_slot, rec_count)
            return code
        # Calls that pass ~20 arrays cost more than a quiet step's work, so the
        # per-step helpers are only called when they have something to do.
        next_pulse = t_stop
        for j in range(n_drugs):
            if given[j] > 0.0 and drug_f[j, DRUG_PULSED] > 0.0 and next_dose[j] < next_pulse:
                next_pulse = next_dose[j]
        if next_pulse <= t + 1e-9 and _apply_doses(
                t, counts, types, ints, given, next_dose, drug_f, targets, penetration, dims,
                rec_t, rec_ptr, rec_slot, rec_count, rng):
            continue  # re-read the burden: a dose may have cured the tumour
        if steps >= max_steps:
            return CHUNK_DONE

        # The step: as long as allowed, never past a dose, a record or t_stop.
        fastest = 0.0
        for k in range(n_slots):
            if counts[k] > 0:
                b, d = clone_rates(k, types, slot_static, cls_rates, drug_f, targets,
                                   penetration, capacity, given, site_tot, dims)
                scratch[k, 0] = b
                scratch[k, 1] = d
                # the approximations scale with births (mutant timing) and with
                # |b - d| (path shape), so max(b, d) sets the pace, moves too
                lam = max(b, d) + cls_rates[types[k] >> n_drugs, 2]
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
                _mutants(k, birth * 0.5 * tau * (n0 + n1), True, n0, n1, tau, counts, types,
                         slot_of, incoming, exposure, slot_static, slot_single, ints, cls_rates,
                         drug_f, targets, penetration, capacity, given, site_tot, dims, rng)
            if cls_rates[types[k] >> n_drugs, 2] > 0.0:
                _moves(k, n0, n1, tau, counts, types, slot_of, incoming, exposure, slot_static,
                       slot_single, ints, cls_rates, moves, drug_f, targets, penetration,
                       capacity, given, site_tot, dims, rng)
        exposed = False
        for k in range(ints[N_SLOTS]):
            if exposure[k] > 0.0:
                exposed = True
                break
        if exposed:
            _second_order(tau, counts, types, slot_of, incoming, exposure, slot_static,
                          slot_single, ints, cls_rates, moves, drug_f, targets, penetration,
                          capacity, given, site_tot, dims, rng)
        for k in range(ints[N_SLOTS]):
            if incoming[k] != 0:
                counts[k] += incoming[k]
                incoming[k] = 0
        clock[T_NOW] = t_next
        steps += 1
        ints[N_STEPS] += 1
