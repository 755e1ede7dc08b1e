"""BatchGetSecretValue: the current values of up to 20 named secrets (each failure
reported per secret in Errors, as Secrets Manager does) or of the secrets a ListSecrets
filter selects, paged like ListSecrets."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import rows, secrets
from .. import pagination
from .api import secretsmanager
from .listing import BAD_TOKEN, check_filters, matches


def _value(ctx: Context, secret: Any) -> dict[str, Any]:
    v = rows.pick_version(ctx.conn, secret.arn)
    return rows.value_view(ctx.settings.data_dir, secret, v)


@secretsmanager.operation("BatchGetSecretValue")
def batch_get_secret_value(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    ids, filters = p.get("SecretIdList"), p.get("Filters")
    if bool(ids) == bool(filters):
        # ecsd's wording: AWS documents the rule (one or the other), not its text.
        raise AwsError(
            "InvalidParameterException",
            "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
        )
    if ids:
        if p.get("MaxResults") is not None or p.get("NextToken") is not None:
            raise AwsError(
                "InvalidParameterException",
                "MaxResults and NextToken can only be used with Filters.",
            )
        values: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for secret_id in dict.fromkeys(ids):
            try:
                values.append(_value(ctx, rows.require(ctx, secret_id)))
            except AwsError as exc:
                errors.append(
                    {"SecretId": secret_id, "ErrorCode": exc.code, "Message": exc.message}
                )
        return {"SecretValues": values, "Errors": errors}
    check_filters(filters or [])
    q, columns = secrets.listing(ctx, sort_by="created-date", include_planned_deletion=False)
    after = pagination.decode_token(
        p.get("NextToken"), pagination.kinds_of(columns), error=BAD_TOKEN
    )
    page, next_key = pagination.scan(
        ctx.conn,
        q,
        columns,
        after,
        p.get("MaxResults") or 20,
        lambda row: all(matches(f, row) for f in filters or []),
    )
    values, errors = [], []
    for secret in page:
        try:
            values.append(_value(ctx, secret))
        except AwsError as exc:  # a secret without a current value
            errors.append({"SecretId": secret.arn, "ErrorCode": exc.code, "Message": exc.message})
    out: dict[str, Any] = {"SecretValues": values, "Errors": errors}
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out
