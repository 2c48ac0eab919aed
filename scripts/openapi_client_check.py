"""A client generated from the tenant's OpenAPI document, used as an integrator would use it.

    openapi_client_check.py DOCUMENT BASE_URL API_KEY

Generates a Python client with openapi-python-client into a temp folder, imports it, and with it
creates two leads, lists them, filters them by source channel, updates one with If-Match, and
checks that a stale If-Match is refused with 409 version_conflict in the shared error shape. Exits 1 on any
difference, saying which step.
"""
import importlib
import os
import subprocess
import sys
import tempfile

document, base_url, key = sys.argv[1:]
work = tempfile.mkdtemp(prefix="tessera-client-")
with open(os.path.join(work, "config.yml"), "w") as f:
    f.write("post_hooks: []\nproject_name_override: tessera-client\npackage_name_override: tessera_client\n")
subprocess.run(
    ["openapi-python-client", "generate", "--path", document, "--config", "config.yml", "--meta", "none"],
    cwd=work, check=True, stdout=subprocess.DEVNULL)
sys.path.insert(0, work)

client_module = importlib.import_module("tessera_client")
create_lead = importlib.import_module("tessera_client.api.lead.create_lead")
list_lead = importlib.import_module("tessera_client.api.lead.list_lead")
get_lead = importlib.import_module("tessera_client.api.lead.get_lead")
update_lead = importlib.import_module("tessera_client.api.lead.update_lead")
models = importlib.import_module("tessera_client.models")

client = client_module.AuthenticatedClient(base_url=base_url, token=key)
problems = []


def expect(what, condition, detail=""):
    if not condition:
        problems.append(f"{what}: {detail}")


made = []
for company, channel in (("杭州智联机电", "web_form"), ("宁波精工", "exhibition")):
    body = models.LeadCreate(
        company=company, contact_name="张工", source_channel=models.LeadCreateSourceChannel(channel), phone="13800000000")
    reply = create_lead.sync_detailed(client=client, body=body)
    expect(f"create {company}", reply.status_code == 201, f"{reply.status_code} {reply.content[:300]!r}")
    if reply.status_code == 201:
        made.append(reply.parsed)
expect("created as Lead models", all(isinstance(m, models.Lead) for m in made), repr(made))

page = list_lead.sync(client=client, limit=10, count=models.ListLeadCount("exact"))
expect("list", isinstance(page, models.LeadPage) and page.count == 2, repr(page))
filtered = list_lead.sync(client=client, source_channel="eq.web_form")
expect("filter", isinstance(filtered, models.LeadPage) and [l.company for l in filtered.data] == ["杭州智联机电"], repr(filtered))

if made:
    # Read it again: automations (the sales pack assigns new leads) may have moved it on.
    lead = get_lead.sync(made[0].id, client=client)
    changed = update_lead.sync_detailed(
        lead.id, client=client, body=models.LeadUpdate(city="杭州"), if_match=f'"{lead.version}"')
    expect("update", changed.status_code == 200 and changed.parsed.city == "杭州", f"{changed.status_code} {changed.content[:300]!r}")
    expect("version moved", changed.status_code == 200 and changed.parsed.version == lead.version + 1, repr(changed.parsed))
    stale = update_lead.sync_detailed(lead.id, client=client, body=models.LeadUpdate(city="宁波"), if_match=f'"{lead.version}"')
    expect(
        "stale If-Match", stale.status_code == 409 and isinstance(stale.parsed, models.Error) and stale.parsed.error.code == "version_conflict",
        f"{stale.status_code} {stale.content[:300]!r}")
    again = get_lead.sync(lead.id, client=client)
    expect("read back", isinstance(again, models.Lead) and again.city == "杭州", repr(again))

for problem in problems:
    print("openapi-client:", problem)
print(f"openapi-client: {'ok' if not problems else 'FAILED'} (generated into {work}: create, list, filter, update, stale If-Match, read)")
sys.exit(1 if problems else 0)
