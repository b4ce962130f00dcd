"""The sweep table's columns, one patient's row, and the CSV text a chunk is stored as.

CSV floats are written and read back exactly (``read_csv``), so a table read
from a folder equals, bit for bit, the one a run returned in memory."""

from __future__ import annotations

from typing import Any

from ..config import toml_text


#: Outcome columns of every sweep row (after point, replicate, the axes and seed),
#: with their dtypes; ``ttp_lineK_days`` columns follow ``days_to_lethal``.
OUTCOME_COLUMNS: dict[str, str] = {
    "outcome": "str",
    "cured": "bool",
    "died": "bool",
    "cause_of_death": "str",
    "refractory": "bool",
    "lines_used": "int64",
    "detection_day": "float64",
    "end_day": "float64",
    "survival_days": "float64",
    "days_to_lethal": "float64",
    "days_on_treatment": "float64",
    "days_toxic": "float64",
}



BURDEN_COLUMNS: dict[str, str] = {
    "final_burden": "int64",
    "final_sensitive": "int64",
    "final_resistant": "int64",
}



def table_row(p: int, r: int, params: dict, result, dtypes: dict[str, str]) -> dict[str, Any]:
    o = result.outcome_row()
    row: dict[str, Any] = {"point": p, "replicate": r, **{k: table_cell(v) for k, v in params.items()},
                           "seed": o["seed"]}
    for k in OUTCOME_COLUMNS:
        row[k] = o.get(k)
    row["days_to_lethal"] = result.survival_days if result.died else None
    for line in result.lines:
        row[f"ttp_line{line.line}_days"] = line.time_to_progression
    final = result.counts[-1]
    geno = result.cell_types.genotype(result.type_ids)
    row["final_burden"] = int(final.sum())
    row["final_sensitive"] = int(final[geno == 0].sum())
    row["final_resistant"] = int(final[geno != 0].sum())
    return row



def table_cell(value: Any) -> Any:
    """A parameter as a table cell: a list (such as therapy.lines) as its TOML text."""
    return toml_text(value) if isinstance(value, (list, tuple)) else value



def to_csv(rows: list[dict], dtypes: dict[str, str]) -> str:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(dtypes)).to_csv(index=False, lineterminator="\n")



def read_csv(source, dtypes: dict[str, str]):
    """Read a chunk or results CSV with the sweep's dtypes; floats round-trip exactly."""
    import pandas as pd

    # pandas 3 parses floats exactly by default (and deprecates the option);
    # older pandas needs float_precision="round_trip" for bit-exact floats
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(source, dtype=dtypes, **exact,
                       keep_default_na=False, na_values={k: [""] for k, t in dtypes.items()
                                                         if t == "float64"})



def sorted_table(table):
    return table.sort_values(["point", "replicate"], ignore_index=True, kind="stable")
