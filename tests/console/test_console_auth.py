"""The console under `ecsd serve --auth`: its page loads unsigned, an API call refused for
its missing signature asks for an access key, and with one the console signs its calls
(SigV4 with WebCrypto) as the CLI does — a wrong secret is refused as the API refuses it."""

from __future__ import annotations

import boto3
from playwright.sync_api import expect

KEY, SECRET = "AKIDCONSOLE", "console-secret"


def test_the_console_signs_its_calls_with_a_key_it_asks_for(browser, ecsd_factory):
    server = ecsd_factory("--auth", "--access-key", f"{KEY}:{SECRET}")
    ecs = boto3.client(
        "ecs",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    ecs.create_cluster(clusterName="guarded")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{server.url}/_console/#/clusters")
        dialog = page.locator("dialog")
        expect(dialog).to_contain_text("Sign in to ecsd")
        page.fill("#f-key", KEY)
        page.fill("#f-secret", "not-the-secret")
        page.click("dialog button[type=submit]")
        expect(page.locator("#view")).to_contain_text("InvalidSignatureException")
        # Refused, it asks again; with the right secret: the list, signed.
        expect(dialog).to_contain_text("Sign in to ecsd")
        page.fill("#f-key", KEY)
        page.fill("#f-secret", SECRET)
        page.click("dialog button[type=submit]")
        expect(page.locator("#view")).to_contain_text("guarded")
        # Signed writes too (a form, then a Query call to ELBv2).
        page.click("#create-cluster")
        page.fill("#f-clusterName", "from-the-console")
        page.click("dialog button[type=submit]")
        expect(page.locator("h1")).to_contain_text("from-the-console")
        page.goto(f"{server.url}/_console/#/load-balancers")
        expect(page.locator("#view")).to_contain_text("No load balancers")
    finally:
        context.close()
    names = {a.rsplit("/", 1)[1] for a in ecs.list_clusters()["clusterArns"]}
    assert names == {"guarded", "from-the-console"}
