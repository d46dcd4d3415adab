"""The Helm chart and the Dockerfile, checked without helm, a cluster or a container engine.

The values are validated against values.schema.json; the templates are read as text,
since the properties that matter (who gets the owner's credentials, hardening, probes,
the single scheduler) are visible there. `helm lint --strict` and
`helm template | kubeconform -strict` are the full checks where helm is installed
(docs/deployment.md).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections import Counter
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml

from tests.database import REPO_ROOT
from timeward.config import load_trusted_proxies

CHART = REPO_ROOT / "charts" / "timeward"
TEMPLATES = CHART / "templates"
MIGRATION_JOB = "migration-job.yaml"
APP_WORKLOADS = {
    "api-deployment.yaml": "api",
    "worker-deployment.yaml": "worker",
    "scheduler-deployment.yaml": "scheduler",
}
WORKLOADS = (*APP_WORKLOADS, MIGRATION_JOB)

# What only the migration Job may know: the owner's URL, its Secret and its values.
OWNER_MARKERS = ("DATABASE_OWNER_URL", ".Values.migration.", "db-owner")
VALUES_REF = re.compile(r"\.Values((?:\.\w+)+)")
BLOCK = re.compile(r"{{-?\s*(if|with|range|define|end)\b")
APP_UID = 10001
# Keys the schema allows that values.yaml leaves unset on purpose.
OPTIONAL_IN_SCHEMA = {"global", "ephemeral-storage"}


@cache
def templates() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(TEMPLATES.iterdir())}


@cache
def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text())
    return loaded


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
    return loaded


def documents(text: str) -> list[str]:
    return [doc for doc in re.split(r"^---\s*$", text, flags=re.M) if doc.strip()]


def define_body(name: str) -> str:
    """The text of one named template in _helpers.tpl, up to its matching end."""
    text = templates()["_helpers.tpl"]
    start = text.index("}}", text.index(f'define "{name}"')) + 2
    depth = 1
    for block in BLOCK.finditer(text, start):
        depth += -1 if block[1] == "end" else 1
        if depth == 0:
            return text[start : block.start()]
    raise AssertionError(f"define {name} has no end")


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema()["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def schema_at(path: tuple[str, ...]) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema()
    for key in path:
        node = resolve(node).get("properties", {}).get(key) if node is not None else None
    return node


def value_at(path: tuple[str, ...]) -> bool:
    node: Any = values()
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def errors(candidate: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema())
    return [error.message for error in validator.iter_errors(candidate)]


# --- checks, kept as functions so the tests below can show that they do fail ----------


def owner_leaks(files: dict[str, str]) -> list[str]:
    return [
        f"{name}: {marker}"
        for name, text in files.items()
        if name != MIGRATION_JOB
        for marker in OWNER_MARKERS
        if marker in text
    ]


def unhardened(files: dict[str, str]) -> list[str]:
    """Templates whose containers do not all include the hardening and resources."""
    found = []
    for name, text in files.items():
        containers = len(re.findall(r"^\s+(?:- )?image:", text, flags=re.M))
        if not containers:
            continue
        hardened = text.count('include "timeward.containerHardening"')
        pods = text.count('include "timeward.podHardening"')
        resources = len(re.findall(r"toYaml \.Values\.\w+\.resources", text))
        if (hardened, resources, pods) != (containers, containers, 1):
            found.append(name)
    return found


def unknown_value_refs(files: dict[str, str]) -> list[str]:
    found = []
    for name, text in files.items():
        for ref in VALUES_REF.finditer(text):
            path = tuple(ref[1].strip(".").split("."))
            if not value_at(path) or schema_at(path) is None:
                found.append(f"{name}: .Values{ref[1]}")
    return found


def undescribed(value: Any, node: dict[str, Any], path: str) -> list[str]:
    """Values that the schema does not describe, or objects it leaves open."""
    node = resolve(node)
    if isinstance(value, dict):
        properties = node.get("properties")
        if properties is None:  # a free-form map must still say what its values are
            return [] if isinstance(node.get("additionalProperties"), dict) else [path]
        found = [] if node.get("additionalProperties") is False else [f"{path} (open)"]
        for key, item in value.items():
            if key in properties:
                found += undescribed(item, properties[key], f"{path}.{key}")
            else:
                found.append(f"{path}.{key}")
        return found
    if isinstance(value, list):
        if "items" not in node:
            return [path]
        return [f for item in value for f in undescribed(item, node["items"], f"{path}[]")]
    return [] if {"type", "enum", "const", "anyOf"} & node.keys() else [path]


# --- values and schema ------------------------------------------------------------------


def test_values_validate_against_the_schema() -> None:
    jsonschema.Draft7Validator.check_schema(schema())
    assert errors(values()) == []


def test_schema_describes_every_value_and_closes_objects() -> None:
    assert undescribed(values(), schema(), "values") == []


def test_schema_has_no_key_that_values_lack() -> None:
    def stale(node: dict[str, Any], value: Any, path: str) -> list[str]:
        properties = resolve(node).get("properties", {})
        found = []
        for key, child in properties.items():
            if isinstance(value, dict) and key in value:
                found += stale(child, value[key], f"{path}.{key}")
            elif key not in OPTIONAL_IN_SCHEMA:
                found.append(f"{path}.{key}")
        return found

    assert stale(schema(), values(), "values") == []


def changed(settings: dict[str, Any]) -> dict[str, Any]:
    """values.yaml with the values at some dotted paths replaced."""
    candidate = copy.deepcopy(values())
    for dotted, value in settings.items():
        *parents, last = dotted.split(".")
        node = candidate
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return candidate


INLINE_SECRETS = {
    "existingSecret": "",
    "databaseUrl": "postgresql://timeward_app:pw@db:5432/timeward",
    "brokerUrl": "amqp://timeward:pw@rabbitmq:5672/",
    "masterKey": "k" * 44,
}


def test_schema_accepts_secrets_given_inline() -> None:
    candidate = changed(
        {
            "secrets": INLINE_SECRETS,
            "migration.existingSecret": "",
            "migration.ownerUrl": "postgresql://timeward_owner:pw@db:5432/timeward",
        }
    )
    assert errors(candidate) == []


@pytest.mark.parametrize(
    "candidate",
    [
        changed({"unknown.key": 1}),
        changed({"api.replicas": 3}),
        changed({"scheduler.replicaCount": 2}),
        changed({"worker.resources": {"requests": {"cpu": "100m", "memory": "1Gi"}}}),
        changed({"api.resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}}}),
        changed({"secrets": {**INLINE_SECRETS, "databaseUrl": ""}}),
        changed({"secrets": {**INLINE_SECRETS, "masterKey": "short"}}),
        changed({"secrets": {**INLINE_SECRETS, "brokerUrl": "http://broker"}}),
        changed({"migration.existingSecret": "", "migration.ownerUrl": ""}),
        changed({"api.podDisruptionBudget.maxUnavailable": 0}),
        changed({"config.trustedProxies": ["ingress-nginx.svc"]}),
    ],
    ids=[
        "unknown-section",
        "misspelt-key",
        "scheduler-replicas",
        "no-limits",
        "no-memory",
        "inline-secret-without-database-url",
        "short-master-key",
        "broker-scheme",
        "inline-owner-without-url",
        "pdb-blocking-drains",
        "proxy-by-name",
    ],
)
def test_schema_rejects(candidate: dict[str, Any]) -> None:
    assert errors(candidate)


# --- templates --------------------------------------------------------------------------


def test_required_kinds_exist() -> None:
    kinds = Counter(
        kind
        for text in templates().values()
        for kind in re.findall(r"^kind:\s*(\w+)\s*$", text, flags=re.M)
    )
    expected = {
        "Deployment": 3,
        "Job": 1,
        "ConfigMap": 1,
        "Secret": 2,  # the application's, and the owner's hook Secret
        "Service": 1,
        "HorizontalPodAutoscaler": 2,
        "PodDisruptionBudget": 2,
        "NetworkPolicy": 2,
        "ServiceAccount": 1,
    }
    assert {kind: kinds[kind] for kind in expected} == expected


def test_hpa_and_pdb_cover_api_and_worker_only() -> None:
    for name in ("hpa.yaml", "pdb.yaml"):
        targets = re.findall(r"fullname\" \. }}-(\w+)", templates()[name])
        assert sorted(set(targets)) == ["api", "worker"], name


@pytest.mark.parametrize(
    ("template", "command"),
    [
        # The pod listens on its own address, hence every interface of its namespace.
        ("api-deployment.yaml", ["timeward", "serve", "--no-demo", "--host", "0.0.0.0"]),  # noqa: S104
        ("worker-deployment.yaml", ["timeward", "worker"]),
        ("scheduler-deployment.yaml", ["timeward", "scheduler"]),
        (MIGRATION_JOB, ["timeward", "migrate"]),
    ],
)
def test_workload_runs_its_command(template: str, command: list[str]) -> None:
    found = re.findall(r"^\s+command: (\[.*\])$", templates()[template], flags=re.M)
    assert len(found) == 1
    assert json.loads(found[0])[: len(command)] == command


def test_api_runs_one_worker_process_per_cpu_of_its_limit() -> None:
    [command] = re.findall(r"^\s+command: (\[.*\])$", templates()["api-deployment.yaml"], re.M)
    args = json.loads(command)
    assert args[args.index("--workers") + 1] == "{{ include `timeward.apiWorkers` . }}"
    helper = templates()["_helpers.tpl"].split('define "timeward.apiWorkers"')[1]
    assert ".Values.api.resources.limits.cpu" in helper.split("{{- define")[0]


def test_scheduler_is_one_replica_recreated() -> None:
    text = templates()["scheduler-deployment.yaml"]
    assert re.search(r"^  replicas: 1$", text, flags=re.M)
    assert re.search(r"^  strategy:\n    type: Recreate$", text, flags=re.M)
    assert ".Values.scheduler.replicaCount" not in text
    assert "autoscaling" not in text


def test_autoscaled_deployments_leave_replicas_to_the_hpa() -> None:
    for name in ("api-deployment.yaml", "worker-deployment.yaml"):
        component = APP_WORKLOADS[name]
        guard = f"{{{{- if not .Values.{component}.autoscaling.enabled }}}}\n  replicas:"
        assert guard in templates()[name], name


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook() -> None:
    docs = documents(templates()[MIGRATION_JOB])
    job = next(doc for doc in docs if re.search(r"^kind: Job$", doc, flags=re.M))
    secret = next(doc for doc in docs if re.search(r"^kind: Secret$", doc, flags=re.M))
    for doc in (job, secret):
        assert "helm.sh/hook: pre-install,pre-upgrade" in doc

    def weight(doc: str) -> int:
        found = re.search(r'helm.sh/hook-weight: "(-?\d+)"', doc)
        assert found
        return int(found[1])

    assert weight(secret) < weight(job)
    assert "hook-succeeded" in secret  # the owner's URL does not outlive the migration


def test_owner_credentials_appear_only_in_the_migration_job() -> None:
    assert "DATABASE_OWNER_URL" in templates()[MIGRATION_JOB]
    assert owner_leaks(templates()) == []


def test_owner_check_catches_a_leak_into_the_api() -> None:
    leaked = dict(templates())
    leaked["api-deployment.yaml"] += "\n            - name: DATABASE_OWNER_URL\n"
    assert owner_leaks(leaked) == ["api-deployment.yaml: DATABASE_OWNER_URL"]


def test_app_workloads_get_the_application_role_url() -> None:
    env = define_body("timeward.appEnv")
    assert re.findall(r"- name: (\w+)", env) == [
        "DATABASE_URL",
        "BROKER_URL",
        "TIMEWARD_MASTER_KEY",
    ]
    assert env.count('name: {{ include "timeward.secretName" . }}') == 3
    for name in APP_WORKLOADS:
        assert templates()[name].count('include "timeward.appEnv"') == 1, name


def test_configmap_is_production_and_holds_no_secret() -> None:
    text = templates()["configmap.yaml"]
    assert 'TIMEWARD_ENV: "production"' in text
    assert "TIMEWARD_APP_ROLE: {{ .Values.config.appRole | quote }}" in text
    for secret in ("DATABASE_URL", "BROKER_URL", "TIMEWARD_MASTER_KEY", "password"):
        assert secret not in text


def test_configmap_trusts_the_ingress_as_the_app_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the ingress the client's address comes from X-Forwarded-For, believed only
    from the proxies in values; the app must accept exactly what the chart renders."""
    text = templates()["configmap.yaml"]
    assert 'TIMEWARD_TRUSTED_PROXIES: {{ join "," .Values.config.trustedProxies | quote }}' in text
    proxies = values()["config"]["trustedProxies"]
    assert proxies
    monkeypatch.setenv("TIMEWARD_TRUSTED_PROXIES", ",".join(proxies))
    assert load_trusted_proxies() == tuple(proxies)


def test_app_secret_is_made_only_without_an_existing_one() -> None:
    text = templates()["secret.yaml"]
    assert text.startswith("{{- if not .Values.secrets.existingSecret }}")
    for key in ("DATABASE_URL", "BROKER_URL", "TIMEWARD_MASTER_KEY"):
        assert f"  {key}: {{{{ .Values.secrets." in text


def test_hardening_helpers_set_what_the_pods_need() -> None:
    container = define_body("timeward.containerHardening")
    for line in (
        "runAsNonRoot: true",
        "readOnlyRootFilesystem: true",
        "allowPrivilegeEscalation: false",
        'drop: ["ALL"]',
        "type: RuntimeDefault",
        "mountPath: /tmp",
    ):
        assert line in container
    pod = define_body("timeward.podHardening")
    for line in (
        "automountServiceAccountToken: false",
        "runAsNonRoot: true",
        f"runAsUser: {APP_UID}",
        "type: RuntimeDefault",
        "emptyDir:",
    ):
        assert line in pod
    assert "automountServiceAccountToken: false" in templates()["serviceaccount.yaml"]


def test_every_container_is_hardened_and_has_resources() -> None:
    assert sorted(name for name in templates() if "image:" in templates()[name]) == sorted(
        WORKLOADS
    )
    assert unhardened(templates()) == []


def test_hardening_check_catches_a_bare_container() -> None:
    bare = {"extra.yaml": "      containers:\n        - name: x\n          image: busybox\n"}
    assert unhardened(bare) == ["extra.yaml"]


def test_api_probes_use_health_and_ready() -> None:
    text = templates()["api-deployment.yaml"]

    def probe_path(probe: str) -> str:
        found = re.search(rf"{probe}:\n\s+httpGet:\n\s+path: (\S+)\n\s+port: http\n", text)
        assert found, probe
        return found[1]

    assert (probe_path("livenessProbe"), probe_path("readinessProbe")) == ("/health", "/ready")
    assert "- name: http\n              containerPort: {{ .Values.api.port }}" in text


def test_network_policy_admits_only_the_api_port() -> None:
    api, background = documents(templates()["networkpolicy.yaml"])
    assert re.search(r"ingress:\n\s+- ports:\n\s+- port: http\n", api)
    assert "app.kubernetes.io/component: api" in api
    assert 'policyTypes: ["Ingress", "Egress"]' in background
    assert "ingress:" not in background  # worker, scheduler, Job: no ingress at all
    for doc in (api, background):
        assert 'include "timeward.egressRules"' in doc
    rules = define_body("timeward.egressRules")
    for egress in ("dns", "database", "broker", "smtp"):
        assert f".Values.networkPolicy.egress.{egress} " in rules
    assert "{{- if .Values.networkPolicy.egress.smtp.enabled }}" in rules


def test_templates_reference_only_described_values() -> None:
    assert unknown_value_refs(templates()) == []


def test_value_check_catches_a_misspelt_reference() -> None:
    misspelt = {"x.yaml": "replicas: {{ .Values.api.replicas }}"}
    assert unknown_value_refs(misspelt) == ["x.yaml: .Values.api.replicas"]


def test_every_value_is_used_by_a_template() -> None:
    referenced = {
        tuple(ref[1].strip(".").split("."))
        for text in templates().values()
        for ref in VALUES_REF.finditer(text)
    }

    def leaves(node: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        if isinstance(node, dict) and node:
            return [leaf for key, child in node.items() for leaf in leaves(child, (*path, key))]
        return [path]

    unused = [
        ".".join(leaf)
        for leaf in leaves(values(), ())
        if not any(leaf[: len(ref)] == ref for ref in referenced)
    ]
    assert unused == []


# --- chart metadata and the image -------------------------------------------------------


def test_chart_app_version_is_the_project_version() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert (chart["apiVersion"], chart["name"]) == ("v2", "timeward")
    assert chart["appVersion"] == project["version"]


def test_dockerfile_is_multi_stage_editable_and_non_root() -> None:
    text = (REPO_ROOT / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert re.findall(r"^FROM (\S+)", text, flags=re.M) == ["${PYTHON_IMAGE}"] * 2
    assert "AS builder" in text
    assert "pip install -e ." in text
    assert "COPY --from=builder /opt/venv /opt/venv" in text
    assert "COPY --from=builder /app /app" in text
    assert f"--uid {APP_UID}" in text
    users = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert users == [f"{APP_UID}:{APP_UID}"]  # numeric, matching the chart's runAsUser


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".timeward", ".pytest-pg", "tests", "*.egg-info"} <= ignored
    assert not {"platform", "tenants", "migrations", "alembic.ini", "pyproject.toml"} & ignored
