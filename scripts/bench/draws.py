"""Drives the extraction benchmark against a running server (see draws.sh).

Random: 大气股 draws 10 of Yutian's enterprises, 200 times; every draw leaves
its 10 out of the next (the cap exclusion grows as the year fills up).
Directed: 水股 extracts 50 enterprises at a time, 100 times, each batch new.
The time is the server's own (Server-Timing: app;dur=…), one request at a time.
"""
import json
import statistics
import sys
import urllib.request

base, random_token, directed_token = sys.argv[1:4]


def call(method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("authorization", "Bearer " + token)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req) as r:
        timing = r.headers.get("server-timing", "")
        dur = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
        return json.loads(r.read() or b"null"), dur


def report(name, samples):
    s = sorted(samples)
    p = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    print(f"{name}: n={len(s)} p50={p(0.5):.1f} ms p90={p(0.9):.1f} ms p99={p(0.99):.1f} ms "
          f"mean={statistics.mean(s):.1f} ms")


# Candidates of the county at the start, for the record.
page, _ = call("GET", "/api/v1/enterprises?region_code=130229&per_page=1&status=normal", random_token)
print(f"Yutian enterprises in normal status: {page['total']}")

times = []
for i in range(200):
    drawn, dur = call("POST", "/api/v1/tasks/random", random_token,
                      {"source": "routine", "count": 10, "conditions": {"region_code": "130229"}})
    assert len(drawn["tasks"]) == 10
    times.append(dur)
print(f"candidates in the last draw: {drawn['draw']['candidate_count']}")
report("random draw of 10, county filter + cap exclusions", times[10:])

# Enterprises 水股 has not extracted yet, 50 per batch.
ids = []
pg = 1
while len(ids) < 100 * 50 + 500:
    page, _ = call("GET", f"/api/v1/enterprises?region_code=130229&status=normal&per_page=200&page={pg}",
                   directed_token)
    ids += [e["id"] for e in page["items"]]
    pg += 1
times = []
for i in range(100):
    batch = ids[i * 50:(i + 1) * 50]
    created, dur = call("POST", "/api/v1/tasks/directed", directed_token,
                        {"source": "routine", "enterprise_ids": batch})
    assert len(created) == 50
    times.append(dur)
report("directed extraction of 50", times[5:])
