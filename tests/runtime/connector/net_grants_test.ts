import assert from "node:assert/strict";
import { isNetGranted } from "../../../runtime/connector/net_grants.ts";

Deno.test("isNetGranted() reads grants as Deno reads --allow-net", () => {
  const url = (text: string) => new URL(text);
  assert.equal(isNetGranted(url("https://api.example.com/v1"), ["api.example.com"]), true);
  assert.equal(isNetGranted(url("https://API.example.com:8443/"), ["api.example.com"]), true);
  assert.equal(isNetGranted(url("https://api.example.com/"), ["api.example.com:443"]), true);
  assert.equal(isNetGranted(url("http://api.example.com/"), ["api.example.com:443"]), false);
  assert.equal(isNetGranted(url("http://127.0.0.1:9/"), ["127.0.0.1:8080"]), false);
  assert.equal(isNetGranted(url("http://[::1]:8080/"), ["[::1]:8080"]), true);
  assert.equal(isNetGranted(url("https://evil.example.com/"), ["example.com"]), false);
  assert.equal(isNetGranted(url("https://example.com.evil.net/"), ["example.com"]), false);
});

Deno.test("isNetGranted() reads *.domain as every subdomain, as Deno's sandbox does", () => {
  const url = (text: string) => new URL(text);
  const grants = ["*.cloud.databricks.com"];
  assert.equal(isNetGranted(url("https://dbc-1.cloud.databricks.com/api"), grants), true);
  assert.equal(isNetGranted(url("https://a.b.cloud.databricks.com/"), grants), true);
  assert.equal(isNetGranted(url("https://evilcloud.databricks.com/"), grants), false);
  assert.equal(isNetGranted(url("https://cloud.databricks.com.evil.net/"), grants), false);
  assert.equal(
    isNetGranted(url("https://x.cloud.databricks.com:8443/"), ["*.cloud.databricks.com:443"]),
    false,
  );
});
