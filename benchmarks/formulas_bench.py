"""Formula engine benchmark: a CRM deal's record-from-api mapping (~40 fields) over 10,000 records.

One run compares, on the same records and the same output:
  hand-written Python (the practical floor), compile_mapping's Program, a JMESPath-only
  version (one `jmespath.compile` expression) and a JSONata-only version (one jsonatapy
  expression). Compile time is measured separately (paid once per connector load).

    cd /work/main && python benchmarks/formulas_bench.py [--records 10000] [--repeat 3]

Not run by pytest. It asserts that the four versions agree on every record before timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jmespath  # noqa: E402
import jsonatapy  # noqa: E402
import yaml  # noqa: E402

from runtime._formulas import compile_mapping  # noqa: E402

DEAL_MAPPING_YAML = r"""
id: {$var: $.record.id}
name: {$var: $.record.properties.dealname}
amount: {$var: $.record.properties.amount}
currency: {$var: $.record.properties.deal_currency_code}
stage:
  $case:
    cases:
      - filter: {$eval: {$var: $.record.properties.dealstage}, is: closedwon}
        value: won
      - filter: {$eval: {$var: $.record.properties.dealstage}, is: closedlost}
        value: lost
      - filter: {$eval: {$var: $.record.properties.dealstage}, oneOf: [appointmentscheduled, qualifiedtobuy]}
        value: early
    default: open
status:
  $case:
    cases:
      - filter: {$var: $.record.archived}
        value: archived
    default: active
isWon: {$eval: {$var: $.record.properties.dealstage}, is: closedwon}
isClosed:
  $or:
    - {$eval: {$var: $.record.properties.dealstage}, is: closedwon}
    - {$eval: {$var: $.record.properties.dealstage}, is: closedlost}
probability: {$var: $.record.properties.hs_deal_stage_probability}
forecastAmount: {$var: $.record.properties.hs_forecast_amount}
pipeline: {$var: $.record.properties.pipeline}
closeTime: {$var: $.record.properties.closedate}
createdTime: {$var: $.record.properties.createdate}
updatedTime: {$var: $.record.properties.hs_lastmodifieddate}
ownerId: {$var: $.record.properties.hubspot_owner_id}
priority: {$var: $.record.properties.hs_priority}
description: {$var: $.record.properties.description}
type: {$var: $.record.properties.dealtype}
source: {$var: $.record.properties.hs_analytics_source}
nextStep: {$var: $.record.properties.hs_next_step}
title:
  $concat:
    values: [{$var: $.record.properties.dealname}, {$var: $.record.properties.dealtype}, {$var: $.record.properties.pipeline}]
    delimiter: " / "
lastActivity: {$var: $.record.properties.notes_last_updated}
numContacts: {$var: $.record.properties.num_associated_contacts}
numNotes: {$var: $.record.properties.num_notes}
contactIds:
  $iterate:
    source: {$var: $.record.associations.contacts.results}
    item: {$var: item.id}
companyIds:
  $iterate:
    source: {$var: $.record.associations.companies.results}
    item: {$var: item.id}
lineItems:
  $iterate:
    source: {$var: $.record.lineItems}
    item:
      id: {$var: item.id}
      name: {$var: item.name}
      quantity: {$var: item.quantity}
      price: {$var: item.price}
      label: {$concat: [{$var: item.name}, " x", {$var: item.quantity}]}
primaryCompanyId: {$var: '$.record.associations.companies.results[0].id'}
owner:
  id: {$var: $.record.properties.hubspot_owner_id}
  email: {$var: $.record.owner.email}
  name:
    $concat:
      values: [{$var: $.record.owner.firstName}, {$var: $.record.owner.lastName}]
      delimiter: " "
customFields:
  region: {$var: $.record.properties.region}
  segment: {$var: $.record.properties.segment}
  tier: {$var: $.record.properties.tier}
  score: {$var: $.record.properties.score}
source_system: hubspot
url:
  $concat: ["https://app.example.com/deals/", {$var: $.record.id}]
"""

STAGES = ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "closedwon", "closedlost"]


def make_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        props: dict[str, Any] = {
            "dealname": f"Deal {i}",
            "amount": str(rng.randint(100, 100000)),
            "deal_currency_code": rng.choice(["USD", "EUR"]),
            "dealstage": rng.choice(STAGES),
            "hs_deal_stage_probability": str(rng.random()),
            "hs_forecast_amount": str(rng.randint(0, 5000)),
            "pipeline": "default",
            "closedate": "2024-03-05T10:20:30.000Z",
            "createdate": "2024-01-01T00:00:00.000Z",
            "hs_lastmodifieddate": "2024-03-06T12:00:00.000Z",
            "hubspot_owner_id": str(rng.randint(1, 50)),
            "hs_priority": rng.choice(["low", "medium", "high", None]),
            "description": rng.choice([None, "Important deal", "Renewal"]),
            "dealtype": rng.choice(["newbusiness", "existingbusiness", None]),
            "hs_analytics_source": "OFFLINE",
            "notes_last_updated": "2024-03-01T00:00:00.000Z",
            "num_associated_contacts": str(rng.randint(0, 3)),
            "num_notes": str(rng.randint(0, 9)),
            "region": rng.choice(["EMEA", "NA"]),
            "segment": "SMB",
            "tier": rng.choice(["1", "2"]),
            "score": rng.randint(0, 100),
        }
        if rng.random() < 0.5:
            props["hs_next_step"] = "Call back"
        record = {
            "id": str(1000 + i),
            "properties": props,
            "archived": rng.random() < 0.1,
            "associations": {
                "contacts": {"results": [{"id": str(rng.randint(1, 10**6)), "type": "deal_to_contact"}
                                         for _ in range(rng.randint(0, 3))]},
                "companies": {"results": [{"id": str(rng.randint(1, 10**6)), "type": "deal_to_company"}
                                          for _ in range(rng.randint(1, 2))]},
            },
            "lineItems": [{"id": str(j), "name": f"Item {j}", "quantity": rng.randint(1, 5), "price": 9.5}
                          for j in range(rng.randint(0, 3))],
            "owner": {"email": "owner@example.com", "firstName": "Ann", "lastName": rng.choice(["Lee", None])},
        }
        records.append({"record": record})
    return records


# --- the same transform, by hand ------------------------------------------------------------------


def _join(values: list[Any], sep: str) -> str | None:
    parts = [v if isinstance(v, str) else str(v) for v in values if v is not None and v != ""]
    return sep.join(parts)


def hand_written(variables: dict[str, Any]) -> dict[str, Any]:
    r = variables["record"]
    p = r.get("properties") or {}
    stage = p.get("dealstage")
    out: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if value is not None or key in p or True:
            out[key] = value

    out["id"] = r.get("id")
    out["name"] = p.get("dealname")
    out["amount"] = p.get("amount")
    out["currency"] = p.get("deal_currency_code")
    out["stage"] = ("won" if stage == "closedwon" else "lost" if stage == "closedlost"
                    else "early" if stage in ("appointmentscheduled", "qualifiedtobuy") else "open")
    out["status"] = "archived" if r.get("archived") else "active"
    out["isWon"] = stage == "closedwon"
    out["isClosed"] = stage in ("closedwon", "closedlost")
    for key, prop in (("probability", "hs_deal_stage_probability"), ("forecastAmount", "hs_forecast_amount"),
                      ("pipeline", "pipeline"), ("closeTime", "closedate"), ("createdTime", "createdate"),
                      ("updatedTime", "hs_lastmodifieddate"), ("ownerId", "hubspot_owner_id"),
                      ("priority", "hs_priority"), ("description", "description"), ("type", "dealtype"),
                      ("source", "hs_analytics_source"), ("nextStep", "hs_next_step")):
        if prop in p:
            out[key] = p[prop]
    out["title"] = _join([p.get("dealname"), p.get("dealtype"), p.get("pipeline")], " / ")
    for key, prop in (("lastActivity", "notes_last_updated"), ("numContacts", "num_associated_contacts"),
                      ("numNotes", "num_notes")):
        if prop in p:
            out[key] = p[prop]
    assoc = r.get("associations") or {}
    contacts = [c["id"] for c in (assoc.get("contacts") or {}).get("results") or [] if c.get("id")]
    if contacts:
        out["contactIds"] = contacts
    companies = [c["id"] for c in (assoc.get("companies") or {}).get("results") or [] if c.get("id")]
    if companies:
        out["companyIds"] = companies
    items = []
    for item in r.get("lineItems") or []:
        items.append({"id": item["id"], "name": item["name"], "quantity": item["quantity"], "price": item["price"],
                      "label": _join([item["name"], " x", item["quantity"]], "")})
    if items:
        out["lineItems"] = items
    if companies:
        out["primaryCompanyId"] = companies[0]
    owner = r.get("owner") or {}
    out["owner"] = {"id": p.get("hubspot_owner_id"), "email": owner.get("email"),
                    "name": _join([owner.get("firstName"), owner.get("lastName")], " ")}
    out["customFields"] = {"region": p.get("region"), "segment": p.get("segment"), "tier": p.get("tier"),
                           "score": p.get("score")}
    out["source_system"] = "hubspot"
    out["url"] = "https://app.example.com/deals/" + r["id"]
    return out


JMESPATH_EXPR = """record.{
  id: id, name: properties.dealname, amount: properties.amount, currency: properties.deal_currency_code,
  stage: (properties.dealstage == 'closedwon' && 'won') || (properties.dealstage == 'closedlost' && 'lost')
         || (contains(['appointmentscheduled', 'qualifiedtobuy'], properties.dealstage) && 'early') || 'open',
  status: (archived && 'archived') || 'active',
  isWon: properties.dealstage == 'closedwon',
  isClosed: properties.dealstage == 'closedwon' || properties.dealstage == 'closedlost',
  probability: properties.hs_deal_stage_probability, forecastAmount: properties.hs_forecast_amount,
  pipeline: properties.pipeline, closeTime: properties.closedate, createdTime: properties.createdate,
  updatedTime: properties.hs_lastmodifieddate, ownerId: properties.hubspot_owner_id,
  priority: properties.hs_priority, description: properties.description, type: properties.dealtype,
  source: properties.hs_analytics_source, nextStep: properties.hs_next_step,
  title: join(' / ', [properties.dealname, properties.dealtype, properties.pipeline][?@]),
  lastActivity: properties.notes_last_updated, numContacts: properties.num_associated_contacts,
  numNotes: properties.num_notes,
  contactIds: associations.contacts.results[*].id,
  companyIds: associations.companies.results[*].id,
  lineItems: lineItems[*].{id: id, name: name, quantity: quantity, price: price,
                           label: join('', [name, ' x', to_string(quantity)])},
  primaryCompanyId: associations.companies.results[0].id,
  owner: {id: properties.hubspot_owner_id, email: owner.email,
          name: join(' ', [owner.firstName, owner.lastName][?@])},
  customFields: {region: properties.region, segment: properties.segment, tier: properties.tier,
                 score: properties.score},
  source_system: 'hubspot',
  url: join('', ['https://app.example.com/deals/', id])
}"""

JSONATA_EXPR = """(
  $p := record.properties; $s := $p.dealstage;
  {
  "id": record.id, "name": $p.dealname, "amount": $p.amount, "currency": $p.deal_currency_code,
  "stage": $s = 'closedwon' ? 'won' : $s = 'closedlost' ? 'lost'
           : $s in ['appointmentscheduled', 'qualifiedtobuy'] ? 'early' : 'open',
  "status": record.archived ? 'archived' : 'active',
  "isWon": $s = 'closedwon', "isClosed": $s = 'closedwon' or $s = 'closedlost',
  "probability": $p.hs_deal_stage_probability, "forecastAmount": $p.hs_forecast_amount,
  "pipeline": $p.pipeline, "closeTime": $p.closedate, "createdTime": $p.createdate,
  "updatedTime": $p.hs_lastmodifieddate, "ownerId": $p.hubspot_owner_id, "priority": $p.hs_priority,
  "description": $p.description, "type": $p.dealtype, "source": $p.hs_analytics_source,
  "nextStep": $p.hs_next_step,
  "title": $join([$p.dealname, $p.dealtype, $p.pipeline][$ != null and $ != ''], ' / '),
  "lastActivity": $p.notes_last_updated, "numContacts": $p.num_associated_contacts, "numNotes": $p.num_notes,
  "contactIds": [record.associations.contacts.results.id],
  "companyIds": [record.associations.companies.results.id],
  "lineItems": [record.lineItems.{"id": id, "name": name, "quantity": quantity, "price": price,
                                  "label": name & ' x' & $string(quantity)}],
  "primaryCompanyId": record.associations.companies.results[0].id,
  "owner": {"id": $p.hubspot_owner_id, "email": record.owner.email,
            "name": $join([record.owner.firstName, record.owner.lastName][$ != null], ' ')},
  "customFields": {"region": $p.region, "segment": $p.segment, "tier": $p.tier, "score": $p.score},
  "source_system": 'hubspot',
  "url": 'https://app.example.com/deals/' & record.id
  }
)"""


def _normal(value: Any) -> Any:
    """Comparable form: drop nulls and empty lists (the four tools differ in how they spell 'nothing')."""
    if isinstance(value, dict):
        out = {k: _normal(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def timed_interleaved(versions: dict[str, Any], records: list[Any], repeat: int) -> dict[str, float]:
    """Best time per version; the versions take turns in every round, so a busy machine slows all alike."""
    best = {name: float("inf") for name in versions}
    for _ in range(repeat):
        for name, fn in versions.items():
            start = time.perf_counter()
            for variables in records:
                fn(variables)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    records = make_records(ns.records)
    mapping = yaml.safe_load(DEAL_MAPPING_YAML)

    from runtime._formulas._compiler import _compile_source

    _compile_source.cache_clear()
    start = time.perf_counter()
    compile_mapping(mapping, source="data/deals/fields-from-api.map.yml")
    cold_us = (time.perf_counter() - start) * 1e6
    start = time.perf_counter()
    for _ in range(100):
        program = compile_mapping(mapping, source="data/deals/fields-from-api.map.yml")
    compile_us = (time.perf_counter() - start) / 100 * 1e6
    jmes = jmespath.compile(JMESPATH_EXPR)
    jsonata = jsonatapy.compile(JSONATA_EXPR)

    # the four versions must agree before timing means anything
    for variables in records[:500]:
        expected = _normal(hand_written(variables))
        assert _normal(program.evaluate(variables)) == expected, (program.evaluate(variables), expected)
        assert _normal(jmes.search(variables)) == expected
        assert _normal(jsonata.evaluate(variables)) == expected

    n_fields = sum(1 for _ in _leaves(mapping))
    results = timed_interleaved(
        {
            "hand-written Python": hand_written,
            "compile_mapping Program": program.evaluate,
            "jmespath (one expression)": jmes.search,
            "jsonatapy (one expression)": jsonata.evaluate,
        },
        records,
        ns.repeat,
    )
    floor = results["hand-written Python"]
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} date={dt.date.today()}")
    print(f"mapping: {n_fields} output fields; {ns.records} records; best of {ns.repeat}")
    print(f"compile_mapping: first {cold_us:.0f} us, then {compile_us:.0f} us per compile "
          "(generated builders' code objects are cached by shape); paid once per connector load")
    print(f"{'version':28} {'total s':>9} {'us/record':>10} {'x hand':>7}")
    for name, seconds in results.items():
        print(f"{name:28} {seconds:9.3f} {seconds / ns.records * 1e6:10.1f} {seconds / floor:7.2f}")
    ratio = results["compile_mapping Program"] / floor
    print(f"target: within 3x of hand-written Python -> {ratio:.2f}x {'OK' if ratio <= 3 else 'MISSED'}")
    _ = statistics  # keep import for ad-hoc analysis
    return 0


def _leaves(value: Any) -> Any:
    """Output fields of the mapping: keys whose value is a formula or a literal."""
    if isinstance(value, dict):
        if value and str(next(iter(value))).startswith("$"):
            yield 1
            return
        for item in value.values():
            yield from _leaves(item)
    else:
        yield 1


if __name__ == "__main__":
    sys.exit(main())
