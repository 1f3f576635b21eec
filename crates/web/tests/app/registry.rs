//! 一企一档 (issue "Enterprise registry"): scoped search, profile, creation
//! rules, import with a row-by-row report, export — on both databases.

use crate::common::{bearer, element, extract, TestApp};
use serde_json::{json, Value};
use yici_domain::time::Clock;
use yici_store::Exec;

both_databases!(
    search_is_scoped_composable_and_paged,
    profile_shows_installations_and_hides_other_regions,
    creation_checks_the_uscc_and_who_may_accept_an_exception,
    import_writes_good_rows_and_reports_bad_ones,
    import_refuses_unreadable_files_and_writes_nothing,
    export_follows_the_filter_and_reads_back,
    pages_search_import_and_profile,
    a_large_load_sets_the_search_index_aside_and_builds_it_again,
    tallies_count_every_change_and_fold_to_the_same_counts,
    keyword_indexes_narrow_searches_without_changing_them,
);

pub(crate) fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("排污单位名称,统一社会信用代码,地址,行业代码,行政区划代码,监管类别,信用等级,中心经度,中心纬度\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// A valid USCC on the given county code, unique by `n`.
pub(crate) fn uscc(county: &str, n: u32) -> String {
    let body = format!("91{county}MA{n:07}");
    let body: String = body.chars().take(17).collect();
    let check = yici_domain::registry::uscc::check_char(&body).unwrap();
    format!("{body}{check}")
}

async fn search_is_scoped_composable_and_paged(app: TestApp) {
    app.load_enterprises(400).await;
    let county = app.token("tssytx_dq").await;
    let city = app.token("tss_dqhj").await;
    let province = app.token("hbs_dq").await;
    let (_, all_county) = app.get(&county, "/api/v1/enterprises?per_page=200").await;
    let (_, all_city) = app.get(&city, "/api/v1/enterprises?per_page=1").await;
    let (_, all_province) = app.get(&province, "/api/v1/enterprises?per_page=1").await;
    let n_county = all_county["total"].as_i64().unwrap();
    let n_city = all_city["total"].as_i64().unwrap();
    let n_province = all_province["total"].as_i64().unwrap();
    assert!(
        n_county > 100 && n_county < n_city && n_city < n_province,
        "{n_county} {n_city} {n_province}"
    );
    assert_eq!(n_province, 400);
    for e in all_county["items"].as_array().unwrap() {
        assert_eq!(
            e["region_code"], "130229",
            "a county user sees only the county"
        );
    }
    // Part of a name.
    let name = all_county["items"][3]["name"].as_str().unwrap().to_string();
    let part: String = name.chars().skip(3).take(4).collect();
    let (status, found) = app
        .get(&county, &format!("/api/v1/enterprises?keyword={part}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == name.as_str()),
        "{part}"
    );
    // Latin letters in a name match in either case, on both databases.
    let renamed = all_county["items"][4]["id"].as_i64().unwrap();
    app.execute(
        "UPDATE enterprises SET name = 'ABB电气（玉田）有限公司' WHERE id = $1",
        yici_store::args![renamed],
    )
    .await;
    for keyword in ["abb电气", "ABB", "Abb电"] {
        let (_, latin) = app
            .get(&county, &format!("/api/v1/enterprises?keyword={keyword}"))
            .await;
        assert_eq!(latin["total"], 1, "{keyword}: {latin}");
        assert_eq!(latin["items"][0]["id"], renamed);
    }
    // Beginning of a USCC.
    let code = all_county["items"][5]["uscc"].as_str().unwrap();
    let (_, by_code) = app
        .get(
            &county,
            &format!("/api/v1/enterprises?keyword={}", &code[..14]),
        )
        .await;
    assert_eq!(by_code["items"][0]["uscc"], code);
    // Filters compose: each result satisfies all of them, and the count is the intersection.
    let (_, steel) = app
        .get(
            &province,
            "/api/v1/enterprises?industry=31&category=key&per_page=200",
        )
        .await;
    let (_, steel_yutian) = app
        .get(
            &province,
            "/api/v1/enterprises?industry=31&category=key&region_code=130229&per_page=200",
        )
        .await;
    for e in steel_yutian["items"].as_array().unwrap() {
        assert!(e["industry_code"].as_str().unwrap().starts_with("31"));
        assert_eq!(e["category"], "key");
        assert_eq!(e["region_code"], "130229");
    }
    let manual = steel["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["region_code"] == "130229")
        .count();
    assert_eq!(steel_yutian["total"].as_i64().unwrap() as usize, manual);
    let (_, unrated) = app
        .get(
            &province,
            "/api/v1/enterprises?credit_grade=none&per_page=200",
        )
        .await;
    assert!(unrated["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["credit_grade"].is_null()));
    let (_, positive) = app
        .get(
            &province,
            "/api/v1/enterprises?positive_list=true&per_page=200",
        )
        .await;
    assert!(positive["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["positive_list"] == json!(true)));
    // Paging and sorting.
    let (_, p1) = app
        .get(
            &province,
            "/api/v1/enterprises?per_page=50&page=1&sort=uscc",
        )
        .await;
    let (_, p2) = app
        .get(
            &province,
            "/api/v1/enterprises?per_page=50&page=2&sort=uscc",
        )
        .await;
    let last1 = p1["items"][49]["uscc"].as_str().unwrap();
    let first2 = p2["items"][0]["uscc"].as_str().unwrap();
    assert!(last1 < first2);
    // Bad filters are named.
    for (q, field) in [
        ("industry=ZZ", "industry"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("sort=x", "sort"),
    ] {
        let (status, err) = app
            .get(&province, &format!("/api/v1/enterprises?{q}"))
            .await;
        assert_eq!(status, 422, "{q}");
        assert_eq!(err["field"], field);
    }
}

async fn profile_shows_installations_and_hides_other_regions(app: TestApp) {
    app.load_enterprises(200).await;
    let province = app.token("hbs_dq").await;
    let county = app.token("tssytx_dq").await;
    let (_, key) = app
        .get(
            &province,
            "/api/v1/enterprises?category=key&region_code=130229&industry=31",
        )
        .await;
    let id = key["items"][0]["id"]
        .as_i64()
        .expect("a key steel enterprise in Yutian");
    let (status, profile) = app.get(&county, &format!("/api/v1/enterprises/{id}")).await;
    assert_eq!(status, 200);
    let outlets = profile["installations"]["outlets"].as_array().unwrap();
    assert!(!outlets.is_empty());
    assert!(outlets[0]["code"].as_str().unwrap().starts_with("DA"));
    assert!(!profile["installations"]["production_facilities"]
        .as_array()
        .unwrap()
        .is_empty());
    let (_, elsewhere) = app
        .get(&province, "/api/v1/enterprises?city_code=130100")
        .await;
    let other = elsewhere["items"][0]["id"].as_i64().unwrap();
    let (status, err) = app
        .get(&county, &format!("/api/v1/enterprises/{other}"))
        .await;
    assert_eq!(status, 404, "outside the county it does not exist: {err}");
}

async fn creation_checks_the_uscc_and_who_may_accept_an_exception(app: TestApp) {
    let secretary = app.token("tssytx_dq").await;
    let good = uscc("130229", 1);
    let body = json!({
        "name": "玉田县测试化工有限公司", "uscc": good, "address": "玉田县鸦鸿桥镇工业路1号",
        "industry_code": "2614", "region_code": "130229", "longitude": 117.7, "latitude": 39.9,
        "outlets": [{"code": "DW001", "name": "废水总排口", "pollutants": [{"pollutant": "化学需氧量", "limit": 50.0, "unit": "mg/L"}]}],
        "treatment_facilities": [{"code": "TW001", "name": "污水处理站", "process": "A/O工艺"}]
    });
    let (status, created) = app
        .send("POST", &secretary, "/api/v1/enterprises", body.clone())
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["enterprise"]["industry_name"], "有机化学原料制造");
    assert_eq!(created["installations"]["outlets"][0]["kind"], "废水");
    let (status, err) = app
        .send("POST", &secretary, "/api/v1/enterprises", body.clone())
        .await;
    assert_eq!(status, 409);
    assert_eq!(err["code"], "duplicate_uscc");
    // Outside the county.
    let mut other = body.clone();
    other["uscc"] = json!(uscc("130225", 2));
    other["region_code"] = json!("130225");
    let (status, err) = app
        .send("POST", &secretary, "/api/v1/enterprises", other)
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["code"], "out_of_scope");
    // A code failing its check character.
    let mut bad = body.clone();
    let mut code = uscc("130229", 3);
    let last = if code.ends_with('0') { '1' } else { '0' };
    code.pop();
    code.push(last);
    bad["uscc"] = json!(code);
    let (status, err) = app
        .send("POST", &secretary, "/api/v1/enterprises", bad.clone())
        .await;
    assert_eq!(
        (status, err["code"].as_str().unwrap()),
        (422, "uscc_check_failed")
    );
    bad["uscc_exception_reason"] = json!("与营业执照原件核对一致");
    let (status, err) = app
        .send("POST", &secretary, "/api/v1/enterprises", bad.clone())
        .await;
    assert_eq!(
        (status, err["code"].as_str().unwrap()),
        (422, "uscc_exception_forbidden")
    );
    // The 大气股 head (承办机构负责人) may accept it; the reason is kept.
    let head = app
        .admin_mobile(app.department("玉田县分局", "大气股").await)
        .await;
    let head = app.token(&head).await;
    let (status, created) = app.send("POST", &head, "/api/v1/enterprises", bad).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["enterprise"]["uscc_check_ok"], json!(false));
    assert_eq!(
        created["enterprise"]["uscc_exception_reason"],
        "与营业执照原件核对一致"
    );
    // An inspector may not register enterprises.
    let member = app
        .person_of(
            &secretary,
            app.department("玉田县分局", "大气股").await,
            false,
        )
        .await;
    let inspector = app.token(member["mobile"].as_str().unwrap()).await;
    let mut another = body.clone();
    another["uscc"] = json!(uscc("130229", 9));
    assert_eq!(
        app.send("POST", &inspector, "/api/v1/enterprises", another)
            .await
            .0,
        403
    );
}

pub(crate) async fn import(
    app: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    filename: &str,
) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/v1/enterprises/import?filename={filename}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn import_writes_good_rows_and_reports_bad_ones(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let (a, b, c) = (uscc("130229", 11), uscc("130229", 12), uscc("130229", 13));
    let rows = [
        format!("玉田县甲钢铁有限公司,{a},玉田县钢城路1号,3110,130229,重点排污单位,B,117.74,39.90"),
        format!(
            "玉田县乙焦化有限公司,{b},玉田县钢城路2号,2521,130229100,一般排污单位,,117.75,39.91"
        ),
        format!("缺地址公司,{c},,3110,130229,,,,"),
        "坏代码公司,91130229MA00000019,玉田县路3号,3110,130229,,,,".to_string(),
        format!(
            "玉田县丙公司,{},玉田县路4号,9999,130229,,,,",
            uscc("130229", 14)
        ),
        format!(
            "玉田县丁公司,{},玉田县路5号,3110,130229,,,abc,39.9",
            uscc("130229", 15)
        ),
        format!(
            "乐亭县戊公司,{},乐亭县路6号,3110,130225,,,,",
            uscc("130225", 16)
        ),
        format!("重复一,{},玉田县路7号,3110,130229,,,,", uscc("130229", 17)),
        format!("重复二,{},玉田县路8号,3110,130229,,,,", uscc("130229", 17)),
        String::new(),
    ];
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let before = app.count("SELECT COUNT(*) FROM enterprises").await;
    assert_eq!(before, 0, "a first import, which looks no USCC up");
    let (status, report) = import(&app, &token, csv(&refs), "名录.csv").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows"], 9, "the blank line is not a row: {report}");
    assert_eq!(report["created"], 2);
    assert_eq!(report["rejected"], 7, "{report}");
    let issues = report["issues"].as_array().unwrap();
    let at = |row: i64| {
        issues
            .iter()
            .filter(|i| i["row"] == row)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(at(4)[0]["column"], "地址");
    assert_eq!(at(5)[0]["column"], "统一社会信用代码");
    assert!(at(5)[0]["reason"].as_str().unwrap().contains("校验位"));
    assert_eq!(at(6)[0]["column"], "行业代码");
    assert_eq!(at(7)[0]["column"], "中心经度");
    assert!(at(8)[0]["reason"].as_str().unwrap().contains("管辖范围"));
    assert!(at(9)[0]["reason"].as_str().unwrap().contains("第10行"));
    assert!(at(10)[0]["reason"].as_str().unwrap().contains("第9行"));
    assert!(at(2).is_empty() && at(3).is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises").await,
        before + 2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'enterprise.create'")
            .await,
        before + 2
    );

    // Re-import: nothing new; a changed row is updated, not duplicated. In GB18030, as Excel saves it.
    let changed =
        format!("玉田县甲钢铁有限公司,{a},玉田县钢城路1号,3110,130229,重点排污单位,A,117.74,39.90");
    let unchanged = refs[1].to_string();
    let text = String::from_utf8(csv(&[changed.as_str(), unchanged.as_str()])).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let (status, report) = import(&app, &token, gbk.into_owned(), "名录-gbk.csv").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["encoding"], "GB18030");
    assert_eq!(
        (
            report["created"].as_i64(),
            report["updated"].as_i64(),
            report["unchanged"].as_i64()
        ),
        (Some(0), Some(1), Some(1))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enterprises").await,
        before + 2
    );
    let (_, found) = app
        .get(&token, &format!("/api/v1/enterprises?keyword={a}"))
        .await;
    assert_eq!(found["items"][0]["credit_grade"], "A");
    // The imports' audit entries (hashed on another thread while the
    // statements ran, the new ids reserved up front) hold the chain, and
    // each entry names the enterprise it wrote.
    let audit = yici_store::audit::verify(&app.db, None).await.unwrap();
    assert!(audit.findings.is_empty(), "{:?}", audit.findings);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log a JOIN enterprises e ON a.entity_id = CAST(e.id AS TEXT)
              WHERE a.entity = 'enterprise' AND a.after_json LIKE '%' || e.uscc || '%'"
        )
        .await,
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'enterprise'")
            .await
    );

    // XLSX from the template round-trips.
    let template = yici_interchange::template_xlsx();
    let (status, report) = import(&app, &token, template, "模板.xlsx").await;
    assert_eq!(status, 200);
    assert_eq!(report["encoding"], "XLSX");
    assert_eq!(report["rows"], 1);
}

/// The search index's definition as the database holds it, if it exists.
async fn search_index(app: &TestApp) -> Option<String> {
    index_definition(app, "enterprises_search").await
}

/// An index's definition as the database holds it, if it exists.
async fn index_definition(app: &TestApp, name: &str) -> Option<String> {
    let sql = match app.db.backend() {
        yici_store::Backend::Sqlite => {
            "SELECT sql AS d FROM sqlite_master WHERE type = 'index' AND name = $1"
        }
        yici_store::Backend::Postgres => "SELECT pg_get_indexdef(to_regclass($1)) AS d",
    };
    let row = app.db.clone().fetch_optional(sql, vec![name.into()]).await;
    row.unwrap()
        .and_then(|r| r.get::<Option<String>>("d").unwrap())
}

async fn a_large_load_sets_the_search_index_aside_and_builds_it_again(app: TestApp) {
    use yici_store::registry::enterprises::{defer_search_index, DEFER_SEARCH_INDEX_ROWS};
    app.load_enterprises(300).await;
    let now = app.clock.now();
    let original = search_index(&app).await.expect("the search index");
    let recent = index_definition(&app, "enterprises_recent").await;
    assert!(recent.is_some(), "the newest-first index");
    let county = app.token("tssytx_dq").await;
    let search = "/api/v1/enterprises?keyword=%E5%85%AC%E5%8F%B8&industry=C&per_page=200";
    let (_, indexed) = app.get(&county, search).await;
    assert!(indexed["total"].as_i64().unwrap() > 0, "{indexed}");

    // A small load keeps the index.
    let small = defer_search_index(&app.db, DEFER_SEARCH_INDEX_ROWS - 1, 300, now).await;
    assert!(small.unwrap().is_none());
    // So does a large one into a larger registry.
    let rows = DEFER_SEARCH_INDEX_ROWS;
    let into_larger = defer_search_index(&app.db, rows, rows as i64 + 1, now).await;
    assert!(into_larger.unwrap().is_none());
    assert!(search_index(&app).await.is_some());

    // On PostgreSQL, a table in use (a reader's transaction here) keeps it:
    // dropping it would have queued every later search behind the reader.
    if app.db.backend() == yici_store::Backend::Postgres {
        let mut reader = app.db.begin().await.unwrap();
        reader
            .fetch_all("SELECT id FROM enterprises LIMIT 1", vec![])
            .await
            .unwrap();
        let busy = defer_search_index(&app.db, DEFER_SEARCH_INDEX_ROWS, 300, now).await;
        assert!(busy.unwrap().is_none());
        assert!(search_index(&app).await.is_some());
        assert_eq!(app.count("SELECT COUNT(*) FROM deferred_indexes").await, 0);
        drop(reader);

        // Two loads starting together: the one that saves the definition
        // second leaves the index to the first.
        let mut first = app.db.begin().await.unwrap();
        first
            .execute(
                "INSERT INTO deferred_indexes (name, definition, deferred_at)
                 VALUES ('enterprises_search', 'first', $1)",
                vec![now.into()],
            )
            .await
            .unwrap();
        let db = app.db.clone();
        let second = tokio::spawn(async move {
            defer_search_index(&db, DEFER_SEARCH_INDEX_ROWS, 300, now).await
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        first.commit().await.unwrap();
        assert!(second.await.unwrap().unwrap().is_none());
        assert!(search_index(&app).await.is_some());
        app.execute("DELETE FROM deferred_indexes", vec![]).await;
    }

    // A large one into a smaller registry sets it aside, once, with the
    // other secondary indexes (PostgreSQL's keyword indexes too).
    let aside_names: &[&str] = match app.db.backend() {
        yici_store::Backend::Sqlite => &["enterprises_recent", "enterprises_search"],
        yici_store::Backend::Postgres => &[
            "enterprises_name_chars",
            "enterprises_names",
            "enterprises_recent",
            "enterprises_search",
        ],
    };
    let mut definitions = Vec::new();
    for name in aside_names {
        let definition = index_definition(&app, name).await;
        assert!(definition.is_some(), "{name}");
        definitions.push(definition);
    }
    let aside = defer_search_index(&app.db, DEFER_SEARCH_INDEX_ROWS, 300, now)
        .await
        .unwrap()
        .expect("set aside");
    assert_eq!(search_index(&app).await, None);
    assert_eq!(index_definition(&app, "enterprises_recent").await, None);
    let mut db = app.db.clone();
    let saved: Vec<String> = db
        .fetch_all("SELECT name FROM deferred_indexes ORDER BY name", vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String>("name").unwrap())
        .collect();
    assert_eq!(saved, aside_names);
    for name in aside_names {
        assert_eq!(index_definition(&app, name).await, None, "{name}");
    }
    let again = defer_search_index(&app.db, DEFER_SEARCH_INDEX_ROWS, 300, now).await;
    assert!(
        again.unwrap().is_none(),
        "a second load leaves it to the first"
    );
    // Searches still answer, the same, from the table.
    let (_, unindexed) = app.get(&county, search).await;
    assert_eq!(unindexed, indexed);

    aside.restore(&app.db).await.unwrap();
    assert_eq!(search_index(&app).await.as_deref(), Some(original.as_str()));
    assert_eq!(index_definition(&app, "enterprises_recent").await, recent);
    for (name, definition) in aside_names.iter().zip(&definitions) {
        assert_eq!(&index_definition(&app, name).await, definition, "{name}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM deferred_indexes").await, 0);

    // A load that never finished (the process died): opening the database
    // builds the index again from the saved definition.
    let lost = defer_search_index(&app.db, DEFER_SEARCH_INDEX_ROWS, 300, now)
        .await
        .unwrap()
        .expect("set aside");
    drop(lost);
    assert_eq!(search_index(&app).await, None);
    yici_store::migrate::run(&app.db).await.unwrap();
    assert_eq!(search_index(&app).await.as_deref(), Some(original.as_str()));
    assert_eq!(index_definition(&app, "enterprises_recent").await, recent);
    assert_eq!(app.count("SELECT COUNT(*) FROM deferred_indexes").await, 0);
    let (_, rebuilt) = app.get(&county, search).await;
    assert_eq!(rebuilt, indexed);
}

async fn import_refuses_unreadable_files_and_writes_nothing(app: TestApp) {
    let token = app.token("tssytx_dq").await;
    let before = app.count("SELECT COUNT(*) FROM enterprises").await;
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (Vec::new(), "x.csv", "empty_file"),
        (
            "名称,地址\n甲,乙\n".as_bytes().to_vec(),
            "x.csv",
            "missing_columns",
        ),
        (
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
            "x.xls",
            "unsupported_file",
        ),
        (b"PK\x03\x04garbage".to_vec(), "x.xlsx", "unreadable_xlsx"),
    ];
    for (bytes, name, code) in cases {
        let (status, err) = import(&app, &token, bytes, name).await;
        assert_eq!(status, 422, "{name}: {err}");
        assert_eq!(err["code"], code, "{err}");
        assert_eq!(err["field"], "file");
    }
    // Oversize: refused before it is read.
    let r = app
        .http
        .post(app.url("/api/v1/enterprises/import?filename=big.csv"))
        .bearer_auth(&token)
        .body(vec![b'a'; 97 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, before);
    // The server is still up.
    assert_eq!(app.get(&token, "/api/v1/me").await.0, 200);
}

async fn export_follows_the_filter_and_reads_back(app: TestApp) {
    app.load_enterprises(300).await;
    let token = app.token("tss_dqhj").await;
    let (_, page) = app
        .get(
            &token,
            "/api/v1/enterprises?industry=C&category=key&per_page=1",
        )
        .await;
    let expected = page["total"].as_u64().unwrap() as usize;
    for format in ["csv", "xlsx"] {
        let r = app
            .http
            .get(app.url(&format!(
                "/api/v1/enterprises/export?format={format}&industry=C&category=key"
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let disposition = r.headers()["content-disposition"].to_str().unwrap();
        assert!(disposition.contains(format));
        // 企业名录-YYYYMMDD.<format>, in UTF-8 (RFC 8187).
        assert!(
            disposition.contains("filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-"),
            "{disposition}"
        );
        let bytes = r.bytes().await.unwrap();
        let sheet = yici_interchange::read(
            &bytes,
            Some(&format!("e.{format}")),
            &yici_interchange::Limits::default(),
        )
        .unwrap();
        assert_eq!(sheet.rows.len(), expected, "{format}");
        for row in &sheet.rows {
            assert!(row.issues.is_empty());
            let v = row
                .input
                .validate(true)
                .expect("an exported row imports again");
            assert_eq!(v.category.as_str(), "key");
            assert_eq!(v.city_code, "130200");
        }
    }
}

async fn pages_search_import_and_profile(app: TestApp) {
    app.load_enterprises(120).await;
    let (client, csrf) = app.web_user("tssytx_dq").await;
    let html = client
        .get(app.url("/enterprises"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Only the county's enterprises are listed, each with its place.
    let yutian = app
        .count("SELECT COUNT(*) FROM enterprises WHERE region_code = '130229'")
        .await;
    assert!(yutian > 20, "more than a page: {yutian}");
    assert!(
        element(&html, "total").contains(&format!("共 {yutian} 家")),
        "{html}"
    );
    let list = element(&html, "enterprises");
    assert_eq!(list.matches("data-label=\"地区\"").count(), 20, "{list}");
    assert_eq!(
        list.matches("data-label=\"地区\">唐山市 玉田县</td>")
            .count(),
        20,
        "{list}"
    );
    let html = client
        .get(app.url("/enterprises?industry=99"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("不在GB/T 4754-2017中"),
        "a bad filter is explained in Chinese"
    );
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv(&["坏行,123,地址,3110,130229,,,,"]))
                .file_name("坏.csv"),
        );
    let r = client
        .post(app.url("/enterprises/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    // The import runs as a job; its page shows the report once done.
    let (status, _, html) = crate::common::settled(&client, r).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("未导入 1 行") && html.contains("统一社会信用代码应为18位"),
        "{html}"
    );
    let form = reqwest::multipart::Form::new().text("_csrf", "wrong".to_string());
    let r = client
        .post(app.url("/enterprises/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // The profile's tabs, each with what it shows of an enterprise that
    // 大气股 has extracted.
    let id = app
        .count(
            "SELECT MIN(id) FROM enterprises WHERE region_code = '130229' AND status = 'normal'
                AND NOT positive_list",
        )
        .await;
    let token = bearer(&app, "tssytx_dq").await;
    let task = extract(&app, &token, "routine", id).await;
    let (_, profile) = app.get(&token, &format!("/api/v1/enterprises/{id}")).await;
    let e = &profile["enterprise"];
    // Each installation's code, or the line that says there is none.
    let codes = |list: &str, none: &str| -> Vec<String> {
        let codes: Vec<String> = profile["installations"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_string())
            .collect();
        if codes.is_empty() {
            vec![none.to_string()]
        } else {
            codes
        }
    };
    let str_of = |v: &Value| v.as_str().unwrap().to_string();
    let task_link = format!("<a href=\"/tasks/{}\">任务 {}</a>", task["id"], task["id"]);
    let tabs: [(&str, Vec<String>); 7] = [
        (
            "basic",
            vec![
                str_of(&e["name"]),
                str_of(&e["uscc"]),
                str_of(&e["industry_name"]),
            ],
        ),
        ("outlets", codes("outlets", "暂无排口信息")),
        ("treatment", codes("treatment_facilities", "暂无治理设施")),
        ("production", codes("production_facilities", "暂无生产设施")),
        (
            "inspections",
            vec![task_link, "日常检查".into(), "大气股".into()],
        ),
        ("rectifications", vec!["暂无整改任务".into()]),
        ("monitoring", vec!["暂无自动监控数据".into()]),
    ];
    for (tab, expected) in tabs {
        let html = client
            .get(app.url(&format!("/enterprises/{id}?tab={tab}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(
                "href=\"/enterprises/{id}?tab={tab}\" class=\"active\""
            )),
            "{tab} is the open tab"
        );
        let shown = element(&html, tab);
        for want in expected {
            assert!(shown.contains(&want), "{tab}: {want} not in {shown}");
        }
    }
}

/// Groups on which the kept tallies and the enterprises themselves disagree
/// (either way round): 0 when every count a search reads from them is right.
async fn tally_mismatches(app: &TestApp) -> i64 {
    let groups = "region_code, city_code, category, industry_division, industry_code, \
                  credit_grade, status, positive_list";
    let tallied = format!(
        "SELECT {groups}, SUM(n) AS n FROM enterprise_tallies GROUP BY {groups} HAVING SUM(n) <> 0"
    );
    let counted = format!("SELECT {groups}, COUNT(*) AS n FROM enterprises GROUP BY {groups}");
    app.count(&format!(
        "SELECT (SELECT COUNT(*) FROM ({tallied} EXCEPT {counted}) AS a)
              + (SELECT COUNT(*) FROM ({counted} EXCEPT {tallied}) AS b)"
    ))
    .await
}

async fn tallies_count_every_change_and_fold_to_the_same_counts(app: TestApp) {
    use yici_store::registry::tallies;
    app.load_enterprises(300).await;
    assert_eq!(tally_mismatches(&app).await, 0, "after the demo load");
    let county = app.token("tssytx_dq").await;

    // Created by an import, then updated by importing them again as key
    // enterprises graded C.
    let fresh: Vec<String> = (0..6)
        .map(|n| {
            format!(
                "玉田县新{n}公司,{},玉田县路{n}号,3110,130229,一般排污单位,B,,",
                uscc("130229", 900 + n)
            )
        })
        .collect();
    let (status, report) = import_rows(&app, &county, &fresh).await;
    assert_eq!(
        (status, report["created"].as_i64()),
        (200, Some(6)),
        "{report}"
    );
    let regraded: Vec<String> = fresh
        .iter()
        .map(|r| r.replace("一般排污单位,B", "重点排污单位,C"))
        .collect();
    let (status, report) = import_rows(&app, &county, &regraded).await;
    assert_eq!(
        (status, report["updated"].as_i64()),
        (200, Some(6)),
        "{report}"
    );
    assert_eq!(tally_mismatches(&app).await, 0, "after imports");
    // RES-3: each regrading is in the credit history, source 名录导入.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM credit_grade_history
              WHERE source = 'import' AND grade_from = 'B' AND grade_to = 'C'"
        )
        .await,
        6
    );

    // Statements from elsewhere are counted too (the triggers see them all);
    // a change to no counted column adds no tally row.
    let rows = tallies::rows(&app.db).await.unwrap();
    app.execute(
        "UPDATE enterprises SET address = address || '（新址）'",
        vec![],
    )
    .await;
    assert_eq!(tallies::rows(&app.db).await.unwrap(), rows);
    app.execute(
        "UPDATE enterprises SET status = 'closed', credit_grade = NULL
         WHERE id IN (SELECT id FROM enterprises ORDER BY id LIMIT 9)",
        vec![],
    )
    .await;
    let gone = uscc("130229", 903);
    // Its edit and credit histories refer to it: they go first.
    for table in ["registry_edits", "credit_grade_history"] {
        app.execute(
            &format!("DELETE FROM {table} WHERE enterprise_id IN (SELECT id FROM enterprises WHERE uscc = $1)"),
            vec![gone.clone().into()],
        )
        .await;
    }
    app.execute("DELETE FROM enterprises WHERE uscc = $1", vec![gone.into()])
        .await;
    assert_eq!(
        tally_mismatches(&app).await,
        0,
        "after updates and a delete"
    );

    // Searches without a keyword read the tallies: their totals are the
    // enterprises' own counts, before and after folding.
    let searches = [
        ("", "1 = 1"),
        ("credit_grade=C", "credit_grade = 'C'"),
        (
            "credit_grade=none&status=closed",
            "credit_grade IS NULL AND status = 'closed'",
        ),
        (
            "category=key&industry=31",
            "category = 'key' AND industry_division = '31'",
        ),
        ("industry=311", "industry_code LIKE '311%'"),
        (
            "industry=C&positive_list=false",
            "industry_section = 'C' AND NOT positive_list",
        ),
    ];
    for fold in [false, true] {
        if fold {
            let groups = tallies::groups(&app.db).await.unwrap();
            let left = tallies::compact(&app.db).await.unwrap();
            assert_eq!(left, groups, "one row per group");
            assert!(
                left < rows,
                "folding leaves one row per group: {left} of {rows}"
            );
            assert_eq!(tally_mismatches(&app).await, 0, "after folding");
        }
        for (query, sql) in searches {
            let (_, page) = app
                .get(&county, &format!("/api/v1/enterprises?per_page=1&{query}"))
                .await;
            let expected = app
                .count(&format!(
                    "SELECT COUNT(*) FROM enterprises WHERE region_code = '130229' AND {sql}"
                ))
                .await;
            assert_eq!(page["total"].as_i64(), Some(expected), "{query} {page}");
        }
    }
    let (_, some) = app
        .get(&county, "/api/v1/enterprises?per_page=1&credit_grade=C")
        .await;
    assert!(some["total"].as_i64().unwrap() >= 6, "{some}");

    // Imports into the same groups at once, folded meanwhile: no count is
    // lost or doubled (on PostgreSQL the writers and folds really overlap).
    let folding = async {
        for _ in 0..15 {
            tallies::compact(&app.db).await.unwrap();
            tokio::task::yield_now().await;
        }
    };
    // One of them large enough to count its own tallies (its transaction
    // turns the insert trigger off, which the others must never see).
    let large = tallies::COUNTED_BY_WRITER_ROWS as u32;
    let (a, b, c, d, ()) = tokio::join!(
        import_group(&app, &county, 0, large),
        import_group(&app, &county, 1, 25),
        import_group(&app, &county, 2, 25),
        import_group(&app, &county, 3, 25),
        folding
    );
    for ((status, report), n) in [(a, large), (b, 25), (c, 25), (d, 25)] {
        let created = report["created"].as_i64();
        assert_eq!((status, created), (200, Some(n as i64)), "{report}");
    }
    assert_eq!(
        tally_mismatches(&app).await,
        0,
        "after concurrent imports and folds"
    );
    // The trigger is on again: a single new enterprise is counted.
    let (_, report) = import_group(&app, &county, 4, 1).await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(tally_mismatches(&app).await, 0, "after the large import");
}

/// Imports `n` new enterprises into 玉田县, spread over categories, credit
/// grades and industries.
async fn import_group(app: &TestApp, token: &str, w: u32, n: u32) -> (u16, Value) {
    let categories = ["重点排污单位", "一般排污单位", "特殊监管对象"];
    let grades = ["A", "B", "C", ""];
    let industries = ["3110", "2521", "3011", "2710"];
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let code = uscc("130229", 20_000 + w * 2_000 + i);
            let (c, g, k) = (i as usize % 3, i as usize % 4, i as usize / 3 % 4);
            format!(
                "玉田县并{w}-{i}公司,{code},玉田县路{i}号,{},130229,{},{},,",
                industries[k], categories[c], grades[g]
            )
        })
        .collect();
    import_rows(app, token, &rows).await
}

/// Imports CSV rows (after the header of `csv`).
async fn import_rows(app: &TestApp, token: &str, rows: &[String]) -> (u16, Value) {
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    import(app, token, csv(&refs), "名录.csv").await
}

/// The ids of a search's page, in order.
fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

async fn keyword_indexes_narrow_searches_without_changing_them(app: TestApp) {
    use yici_store::registry::{enterprises, name_chars};
    app.load_enterprises(1500).await;
    // Rare characters of their own, in a few names only.
    app.execute(
        "UPDATE enterprises SET name = '玉田县鑫鑫焦化有限公司' || id
          WHERE id IN (SELECT id FROM enterprises WHERE region_code = '130229' ORDER BY id LIMIT 7)",
        vec![],
    )
    .await;
    enterprises::refresh_statistics(&app.db).await.unwrap();
    let county = app.token("tssytx_dq").await;
    let province = app.token("hbs_dq").await;
    let postgres = app.db.backend() == yici_store::Backend::Postgres;

    if postgres {
        // The rare keyword is narrowed by the index, the common one is not
        // (the planner would read most of the table through it).
        let mut db = app.db.clone();
        let rare = name_chars::rarest_share(&mut db, "鑫焦").await.unwrap();
        assert!(rare.is_some_and(|s| s <= name_chars::MAX_SHARE), "{rare:?}");
        let common = name_chars::rarest_share(&mut db, "有限公司").await.unwrap();
        assert!(
            common.is_some_and(|s| s > name_chars::MAX_SHARE),
            "{common:?}"
        );
        // The condition is the index's own expression: with the table scan
        // ruled out, the planner answers it from the index.
        let mut tx = app.db.begin().await.unwrap();
        tx.execute("SET LOCAL enable_seqscan = off", vec![])
            .await
            .unwrap();
        let condition = name_chars::CONDITION.replace("?1", "$1");
        let plan = tx
            .fetch_all(
                &format!("EXPLAIN SELECT COUNT(*) FROM enterprises WHERE {condition}"),
                vec!["鑫焦".into()],
            )
            .await
            .unwrap();
        let plan: Vec<String> = plan
            .iter()
            .map(|r| r.get::<String>("QUERY PLAN").unwrap())
            .collect();
        assert!(
            plan.iter().any(|l| l.contains("enterprises_name_chars")),
            "{plan:?}"
        );
        drop(tx);
    }

    // Whichever way a database finds them, the totals and pages are those of
    // the plain substring test, in the default order, on every page.
    for keyword in [
        "鑫焦",
        "焦化",
        "钢铁",
        "玉田县",
        "有限公司",
        "鑫",
        "不存在的字",
    ] {
        for (token, region) in [(&county, "region_code = '130229'"), (&province, "1 = 1")] {
            let expected = app
                .count(&format!(
                    "SELECT COUNT(*) FROM enterprises WHERE {region} AND name LIKE '%{keyword}%'"
                ))
                .await;
            let mut db = app.db.clone();
            let expected_ids: Vec<i64> = db
                .fetch_all(
                    &format!(
                        "SELECT id FROM enterprises WHERE {region} AND name LIKE '%{keyword}%'
                          ORDER BY region_code, name, id LIMIT 5 OFFSET 5"
                    ),
                    vec![],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<i64>("id").unwrap())
                .collect();
            let (status, page) = app
                .get(
                    token,
                    &format!("/api/v1/enterprises?keyword={keyword}&per_page=5&page=2"),
                )
                .await;
            assert_eq!(status, 200, "{page}");
            assert_eq!(page["total"].as_i64(), Some(expected), "{keyword} {region}");
            assert_eq!(ids(&page), expected_ids, "{keyword} {region}");
        }
    }
    // With another filter as well.
    let (_, rare) = app
        .get(&county, "/api/v1/enterprises?keyword=鑫焦&status=normal")
        .await;
    let normal = app
        .count("SELECT COUNT(*) FROM enterprises WHERE name LIKE '%鑫焦%' AND status = 'normal'")
        .await;
    assert!(normal > 0);
    assert_eq!(rare["total"].as_i64(), Some(normal), "{rare}");
}

/// Imports run within the configured bounds of what they may parse (SEC-4):
/// here 30 cells, so a CSV of a header and three rows of 9 cells is refused
/// as too large, with a structured error on the API and a Chinese one on the
/// page, and nothing written.
mod bounded {
    use super::*;

    both_databases!(
        config = yici_web::WebConfig {
            import_limits: yici_interchange::Limits {
                max_cells: 30,
                ..Default::default()
            },
            ..Default::default()
        };
        a_csv_over_the_cell_limit_is_refused_as_too_large
    );

    async fn a_csv_over_the_cell_limit_is_refused_as_too_large(app: TestApp) {
        let token = app.token("tssytx_dq").await;
        let rows: Vec<String> = (1..=3)
            .map(|n| {
                format!(
                    "玉田县{n}号钢铁有限公司,{},玉田县钢城路{n}号,3110,130229,重点排污单位,B,117.74,39.90",
                    uscc("130229", 40 + n)
                )
            })
            .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let (status, err) = import(&app, &token, csv(&rows), "多.csv").await;
        assert_eq!(status, 413, "{err}");
        assert_eq!(err["code"], "too_many_cells");
        assert_eq!(err["field"], "file");
        assert_eq!(
            err["message"],
            "文件超过30个单元格，请删去多余的列或拆分后分批导入"
        );
        // Within the limit the same file's first two rows go in.
        let (status, report) = import(&app, &token, csv(&rows[..2]), "少.csv").await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["created"], 2);

        let (client, csrf) = app.web_user("tssytx_dq").await;
        let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(csv(&rows)).file_name("多.csv"),
        );
        let r = client
            .post(app.url("/enterprises/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        // Refused on the form when the job fails within the request's wait
        // (always, unless the machine is very slow); on the job's page else.
        let (status, path, html) = crate::common::settled(&client, r).await;
        assert!(
            (status, path.as_str()) == (422, "/enterprises/import")
                || path.starts_with("/file-jobs/"),
            "{status} {path}"
        );
        assert!(html.contains("请删去多余的列或拆分后分批导入"), "{html}");
        assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, 2);
    }
}
