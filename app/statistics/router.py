"""GET /v1/statistics: suppressed aggregate counts (JSON, or CSV with Accept: text/csv)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.auth.deps import StatisticsRead
from app.core.deps import Db
from app.core.responses import problems
from app.core.types import IsoDate
from app.operations import service as operations
from app.operations.errors import OperationNotFound
from app.statistics import service
from app.statistics.service import DIMENSIONS, InvalidGrouping, StatisticsQuery

router = APIRouter(prefix="/statistics", tags=["statistics"])


class StatisticsTable(BaseModel):
    """A suppressed aggregate table: `count` is null where `suppressed` is true."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "counts": "victims",
                    "group_by": ["nationality"],
                    "min_cell": 5,
                    "items": [
                        {"nationality": "PH", "count": 14, "suppressed": False},
                        {"nationality": "ID", "count": 11, "suppressed": False},
                        {"nationality": "GH", "count": None, "suppressed": True},
                        {"nationality": "KE", "count": None, "suppressed": True},
                    ],
                }
            ]
        }
    )

    counts: str = Field(
        description="What is counted: victims, or referrals (group by purpose), or decisions "
        "(group by outcome or stage).",
        examples=["victims"],
    )
    group_by: list[str] = Field(examples=[["nationality"]])
    min_cell: int = Field(examples=[5])
    items: list[dict[str, Any]] = Field(
        examples=[
            [
                {"nationality": "PH", "count": 14, "suppressed": False},
                {"nationality": "GH", "count": None, "suppressed": True},
            ]
        ]
    )


def _group_by(raw: str | None) -> list[str]:
    dims = [d.strip() for d in (raw or "").split(",") if d.strip()]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise InvalidGrouping(f"Unknown dimension(s): {', '.join(unknown)}.")
    if len(set(dims)) != len(dims) or len(dims) > 4:
        raise InvalidGrouping("Name each dimension once, at most four.")
    return dims


@router.get(
    "",
    response_model=StatisticsTable,
    responses={
        **problems(InvalidGrouping, OperationNotFound),
        200: {
            "description": "The table: JSON, or CSV with `Accept: text/csv`.",
            "content": {
                "text/csv": {
                    "example": "nationality,count,suppressed\r\nPH,14,False\r\nGH,,True\r\n"
                }
            },
        },
    },
)
def get_statistics(
    request: Request,
    caller: StatisticsRead,
    db: Db,
    group_by: Annotated[
        str | None,
        Query(max_length=200, description="Comma-separated: " + ", ".join(DIMENSIONS)),
    ] = None,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    rescue_operation_id: uuid.UUID | None = None,
    accept: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Counts across all agencies, grouped, with small cells suppressed (also against
    recomputation from totals). No ids, no identity."""
    query = StatisticsQuery(_group_by(group_by), date_from, date_to, rescue_operation_id)
    min_cell = request.app.state.settings.statistics_min_cell
    with db.begin(caller, write=False) as session:
        if rescue_operation_id is not None:
            # Only operations the caller may see: otherwise the filter would confirm that
            # an id exists and describe another agency's intake.
            operations.get_readable(session, caller, rescue_operation_id)
        result = service.table(session, query, min_cell=min_cell)
    if accept and "text/csv" in accept.lower():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*result.group_by, "count", "suppressed"])
        for item in result.items:
            count = "" if item["count"] is None else item["count"]
            writer.writerow([*(item[d] for d in result.group_by), count, item["suppressed"]])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    return JSONResponse(
        {
            "counts": result.counts,
            "group_by": result.group_by,
            "min_cell": result.min_cell,
            "items": result.items,
        }
    )
