"""Policy document checks and the URL-encoding IAM answers documents with."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.iam import documents, roles

GOOD = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}'


def test_good_document_passes_and_round_trips_encoded():
    assert documents.check(GOOD)["Version"] == "2012-10-17"
    enc = roles.encoded(GOOD)
    assert "{" not in enc and " " not in enc and unquote(enc) == GOOD


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nope", "This policy contains invalid Json"),
        ("[]", "Syntax errors in policy."),
        ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
        ('{"Version": "2020", "Statement": []}', "The policy must contain a valid version string"),
        ('{"Statement": [{"Effect": "Maybe"}]}', "Syntax errors in policy."),
    ],
)
def test_malformed_documents(text, message):
    with pytest.raises(AwsError) as err:
        documents.check(text)
    assert (err.value.code, err.value.message) == ("MalformedPolicyDocument", message)


def test_role_ids_look_like_iams():
    rid = roles.new_id("AROA")
    assert rid.startswith("AROA") and len(rid) == 21 and rid.isalnum() and rid.isupper()
