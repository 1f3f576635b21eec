"""Drives the extraction benchmark against a running server (see draws.sh).

Random: 10 enterprises, 200 times, drawn by 唐山 大气环境科 in 迁安市 (a big
county, ~4 % of the registry) and by 玉田 大气股 in 玉田县 (the demo's outlier:
~45 % of the registry in one county); every draw leaves its 10 out of the next (the cap exclusion grows
as the year fills up).
Directed: 水股 extracts 50 enterprises at a time, 100 times, each batch new.
The time is the server's own (Server-Timing: app;dur=…), one request at a time.
"""
import json
import statistics
import sys
import urllib.request

base, random_token, directed_token, city_token = sys.argv[1:5]


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


for county, name, token in (("130283", "迁安市", city_token), ("130229", "玉田县", random_token)):
    page, _ = call("GET", f"/api/v1/enterprises?region_code={county}&per_page=1&status=normal",
                   token)
    times = []
    for i in range(200):
        drawn, dur = call("POST", "/api/v1/tasks/random", token,
                          {"source": "routine", "count": 10, "conditions": {"region_code": county}})
        assert len(drawn["tasks"]) == 10
        times.append(dur)
    report(f"random draw of 10 in {name} ({page['total']} in normal status, "
           f"{drawn['draw']['candidate_count']} candidates at the end)", times[10:])

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
