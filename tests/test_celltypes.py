"""The type-id layout: one Python decoder (clonesim.celltypes) and its
compiled twin (engine.kernel.decode) must agree on every id of a layout."""

from __future__ import annotations

import numpy as np
import pytest

from clonesim.celltypes import CellTypes
from clonesim.engine import kernel as K

LAYOUTS = [CellTypes(("A",)),
           CellTypes(("A", "B", "C"), ("ER+", "ER-"), ("breast", "liver", "brain")),
           CellTypes(tuple("ABCDE"), ("s1", "s2", "s3"), ("p", "q"))]


@pytest.mark.parametrize("ct", LAYOUTS, ids=lambda ct: f"{ct.n_drugs}x{ct.n_states}x{ct.n_sites}")
def test_encode_and_decode_round_trip_and_agree_with_the_kernel(ct):
    ids = np.arange(ct.n_types, dtype=np.int64)
    geno, state, site = ct.genotype(ids), ct.state(ids), ct.site(ids)
    assert geno.max() == (1 << ct.n_drugs) - 1
    assert state.max() == ct.n_states - 1 and site.max() == ct.n_sites - 1
    np.testing.assert_array_equal(ct.encode(geno, state, site), ids)
    for t in ids:
        assert K.decode(int(t), ct.n_drugs, ct.n_states) == (geno[t], state[t], site[t])
    # a scalar answers like an array element
    assert ct.site(int(ids[-1])) == site[-1]


def test_resistance_bits_and_labels():
    ct = LAYOUTS[1]
    ab = ct.drug_mask(["A", "B"])
    tid = ct.encode(ab, state=1, site=2)
    assert ct.resistant(tid, "A") and ct.resistant(tid, 1) and not ct.resistant(tid, "C")
    assert ct.label(tid) == "resistant to A+B, ER-, brain"
    assert CellTypes(("A", "B")).label(0) == "sensitive"  # one state, one site: genotype only
    np.testing.assert_array_equal(ct.resistant(np.array([0, tid]), "B"), [False, True])
