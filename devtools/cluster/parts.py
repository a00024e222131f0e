"""The production set on this machine: ``python -m devtools.cluster up|down|status|env|ports`` runs ``main``.

``make cluster`` runs ``up``: nginx with TLS in front of two gunicorn instances, a PostgreSQL primary with a
streaming replica and PgBouncer, Redis, two task workers and SeaweedFS with its S3 gateway, all on loopback
ports, supervised by supervisord, with their data in ``var/cluster/``. The first ``up`` creates the databases,
the bucket, a self-signed certificate and a secret key, migrates and loads the demo data; later ones start what
is there. ``make cluster-stop`` runs ``down``. The config files are ``deploy/cluster/*``; docs/operations.md
explains the set and how a data centre would run the same parts.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "cluster"
CLUSTER = Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))
VENV = ROOT / ".venv"
CLUSTER_VENV = ROOT / ".venv-cluster"

PORTS = {
    "HTTPS_PORT": 18443,
    "APP_PORT": 18101,  # the first instance; the next ones count up
    "PG_PRIMARY_PORT": 15432,
    "PG_REPLICA_PORT": 15433,
    "PGBOUNCER_PORT": 16432,
    "REDIS_PORT": 16379,
    "WEED_MASTER_PORT": 19333,
    "WEED_VOLUME_PORT": 19080,
    "WEED_FILER_PORT": 19888,
    "S3_PORT": 19334,
}
APP_INSTANCES = int(os.environ.get("CLUSTER_APP_INSTANCES", "2"))
APP_WORKERS = int(os.environ.get("CLUSTER_APP_WORKERS", "2"))  # gunicorn processes per instance
WORKERS = int(os.environ.get("CLUSTER_WORKERS", "2"))
DATABASE = "mitwirken"
BUCKET = "mitwirken-media"
S3_KEY = "mitwirken"
PG_USER = "postgres"


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL's server programs are missing: apt-get install postgresql")
    return versions[-1].parent


def as_db_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: its programs run as the database user then."""
    return ["runuser", "-u", PG_USER, "--", *command] if os.geteuid() == 0 else command


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload]


def secret(name: str, length: int = 32) -> str:
    """A secret made on the first start and kept in var/cluster/secrets, readable by this user only."""
    path = CLUSTER / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path.read_text().strip()


def base_url() -> str:
    return f"https://127.0.0.1:{PORTS['HTTPS_PORT']}"


def app_env() -> dict[str, str]:
    """The portal's environment in the set: every part chosen by an environment variable (settings.py)."""
    return {
        "MITWIRKEN_ENV": "production",
        "SECRET_KEY": secret("django-secret-key", 48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": base_url(),
        "TRUSTED_PROXY_SSL_HEADER": "1",
        "TRUSTED_PROXY_CLIENT_IP_HEADER": "X-Real-IP",
        "DATABASE_URL": f"postgres://{PG_USER}@127.0.0.1:{PORTS['PGBOUNCER_PORT']}/{DATABASE}",
        "DATABASE_PGBOUNCER": "1",
        "DATABASE_REPLICA_URL": f"postgres://{PG_USER}@127.0.0.1:{PORTS['PG_REPLICA_PORT']}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['REDIS_PORT']}/0",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{PORTS['S3_PORT']}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": secret("s3-secret-key"),
        "MITWIRKEN_ACCEL_REDIRECT": "1",
        "MITWIRKEN_VAR_DIR": str(CLUSTER / "app"),
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PROMETHEUS_MULTIPROC_DIR": str(CLUSTER / "run" / "prometheus"),
        "HEALTHZ_TOKEN": secret("healthz-token"),
        "STAFF_MFA_REQUIRED": "1",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "mitwirken.settings",
    }


def direct_env() -> dict[str, str]:
    """For migrations and checks: straight to the primary, not through the pooler."""
    env = dict(os.environ, **app_env())
    env["DATABASE_URL"] = f"postgres://{PG_USER}@127.0.0.1:{PORTS['PG_PRIMARY_PORT']}/{DATABASE}"
    env.pop("DATABASE_PGBOUNCER")
    return env


def render(name: str, target: Path, values: dict[str, str]) -> None:
    text = (DEPLOY / name).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = sorted(set(re.findall(r"@[A-Z][A-Z_]*@", text)))
    if leftover:
        raise SystemExit(f"{name}: no value for {', '.join(leftover)}")
    target.write_text(text)


def supervisor_env(env: dict[str, str]) -> str:
    """supervisord's environment= syntax; % is its interpolation character."""
    return ",".join(f'{key}="{value.replace("%", "%%")}"' for key, value in sorted(env.items()))


def write_configs() -> None:
    for folder in ("log", "run", "run/prometheus", "tls", "nginx", "seaweedfs", "app"):
        (CLUSTER / folder).mkdir(parents=True, exist_ok=True)
    values = {key: str(value) for key, value in PORTS.items()}
    upstreams = "\n".join(
        f"        server 127.0.0.1:{PORTS['APP_PORT'] + n} max_fails=1 fail_timeout=5s;" for n in range(APP_INSTANCES)
    )
    values |= {
        "CLUSTER": str(CLUSTER),
        "ROOT": str(ROOT),
        "VENV": str(VENV),
        "CLUSTER_VENV": str(CLUSTER_VENV),
        "PGBIN": str(pg_bin()),
        "PGUSER": PG_USER,
        "USER": pwd.getpwuid(os.geteuid()).pw_name,
        "APP_INSTANCES": str(APP_INSTANCES),
        "APP_WORKERS": str(APP_WORKERS),
        "WORKERS": str(WORKERS),
        "APP_ENV": supervisor_env(app_env()),
        "UPSTREAMS": upstreams,
        "STATIC_ROOT": str(ROOT / "staticfiles"),
        "MEDIA_ROOT": str(CLUSTER / "app" / "media"),
    }
    render("supervisord.conf", CLUSTER / "supervisord.conf", values)
    render("nginx.conf", CLUSTER / "nginx.conf", values)
    render("nginx-proxy.conf", CLUSTER / "nginx-proxy.conf", values)
    render("pgbouncer.ini", CLUSTER / "pgbouncer.ini", values)
    (CLUSTER / "pgbouncer-users.txt").write_text(f'"{PG_USER}" ""\n')
    s3 = {
        "identities": [
            {
                "name": "mitwirken",
                "credentials": [{"accessKey": S3_KEY, "secretKey": secret("s3-secret-key")}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (CLUSTER / "s3.json").write_text(json.dumps(s3))
    (CLUSTER / "s3.json").chmod(0o600)
    if os.geteuid() == 0:  # the database user writes its logs, sockets and pid files here
        for path in (CLUSTER / "log", CLUSTER / "run"):
            shutil.chown(path, PG_USER)
        for path in (CLUSTER / "pgbouncer.ini", CLUSTER / "pgbouncer-users.txt"):
            shutil.chown(path, PG_USER)


def certificate() -> None:
    key, cert = CLUSTER / "tls" / "key.pem", CLUSTER / "tls" / "cert.pem"
    if cert.exists():
        return
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        capture_output=True)  # fmt: skip
    key.chmod(0o600)


PRIMARY_CONF = """
# devtools/cluster: the primary of the set
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{run}'
max_connections = 100
shared_buffers = 256MB
wal_level = replica
max_wal_senders = 5
wal_keep_size = 512MB
hot_standby = on
random_page_cost = 1.1
log_min_duration_statement = 500
"""


def init_databases() -> None:
    """Create the primary's cluster on the first start (the replica is copied from it once it runs)."""
    primary, replica = CLUSTER / "pg-primary", CLUSTER / "pg-replica"
    if (primary / "PG_VERSION").exists():
        return
    for path in (primary, replica):
        empty_data_directory(path)
    run(as_db_user([str(pg_bin() / "initdb"), "-D", str(primary), "-U", PG_USER, "--auth=trust",
                    "--encoding=UTF8", "--locale=C.UTF-8"]), capture_output=True)  # fmt: skip
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(PRIMARY_CONF.format(port=PORTS["PG_PRIMARY_PORT"], run=CLUSTER / "run"))


def supervisorctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(CLUSTER_VENV / "bin" / "supervisorctl"), "-c", str(CLUSTER / "supervisord.conf"), *args]
    return subprocess.run(command, check=check, text=True, capture_output=True)


def supervisor_running() -> bool:
    return (CLUSTER / "run" / "supervisor.sock").exists() and supervisorctl("pid", check=False).returncode == 0


def wait_for_port(port: int, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"{name} does not answer on port {port}; see {CLUSTER / 'log'}")


def psql(port: int, sql: str, database: str = "postgres") -> str:
    command = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, "-d", database, "-tAc", sql]
    return run(command, capture_output=True).stdout.strip()


def wait_for_postgres(port: int, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        check = ["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER]
        if subprocess.run(check, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"{name} does not accept connections on port {port}; see {CLUSTER / 'log'}")


def start(*programs: str) -> None:
    result = supervisorctl("start", *programs, check=False)
    if result.returncode != 0 and "ERROR" in result.stdout.replace("ERROR (already started)", ""):
        raise SystemExit(f"could not start {' '.join(programs)}:\n{result.stdout}{result.stderr}")


def empty_data_directory(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(path, PG_USER)


def promote_replica() -> None:
    """The replica becomes the primary; PgBouncer sends the portal there (a reload, no restart of the portal)."""
    psql(PORTS["PG_REPLICA_PORT"], "SELECT pg_promote(wait => true)")
    ini = CLUSTER / "pgbouncer.ini"
    ini.write_text(ini.read_text().replace(f"port={PORTS['PG_PRIMARY_PORT']}", f"port={PORTS['PG_REPLICA_PORT']}"))
    supervisorctl("signal", "HUP", "pgbouncer")


def restore_roles_after_promotion() -> None:
    """Back to the set's layout: the promoted replica's data becomes the primary's, and a new replica is copied."""
    supervisorctl("stop", "pg-replica", "pg-primary")
    primary, replica = CLUSTER / "pg-primary", CLUSTER / "pg-replica"
    shutil.rmtree(primary)  # the old primary: behind the promoted one, its last writes already counted as lost
    replica.rename(primary)
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(f"\n# devtools/cluster: promoted, now the primary again\nport = {PORTS['PG_PRIMARY_PORT']}\n")
    write_configs()  # PgBouncer back to the primary's port
    start("pg-primary")
    wait_for_postgres(PORTS["PG_PRIMARY_PORT"], "PostgreSQL primary")
    empty_data_directory(replica)
    make_replica()
    start("pg-replica")
    wait_for_postgres(PORTS["PG_REPLICA_PORT"], "PostgreSQL replica")
    supervisorctl("signal", "HUP", "pgbouncer")


def make_replica() -> None:
    replica = CLUSTER / "pg-replica"
    if (replica / "PG_VERSION").exists():
        return
    run(as_db_user(["pg_basebackup", "-h", "127.0.0.1", "-p", str(PORTS["PG_PRIMARY_PORT"]), "-U", PG_USER,
                    "-D", str(replica), "-R", "-X", "stream", "-c", "fast"]), capture_output=True)  # fmt: skip
    with (replica / "postgresql.conf").open("a") as conf:
        # hot_standby_feedback: a long export on the replica is not cancelled by the primary's vacuum
        conf.write(f"\n# devtools/cluster: the streaming replica\nport = {PORTS['PG_REPLICA_PORT']}\n"
                   "hot_standby_feedback = on\n")  # fmt: skip


def manage(*args: str, **env: str) -> None:
    run([str(VENV / "bin" / "python"), str(ROOT / "manage.py"), *args], env=direct_env() | env, cwd=ROOT)


def create_bucket() -> None:
    import boto3  # in the portal's environment (django-storages)

    env = app_env()
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_S3_REGION_NAME"],
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            names = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
            if BUCKET not in names:
                client.create_bucket(Bucket=BUCKET)
            return
        except Exception as error:  # the gateway answers before its filer is ready
            if time.monotonic() > deadline:
                raise SystemExit(f"object storage not ready: {error}") from error
            time.sleep(1)


def up() -> None:
    CLUSTER.mkdir(parents=True, exist_ok=True)
    write_configs()
    certificate()
    init_databases()
    if not supervisor_running():
        run([str(CLUSTER_VENV / "bin" / "supervisord"), "-c", str(CLUSTER / "supervisord.conf")])
        for _ in range(50):
            if supervisor_running():
                break
            time.sleep(0.2)
    start("pg-primary", "redis", "seaweedfs")
    wait_for_postgres(PORTS["PG_PRIMARY_PORT"], "PostgreSQL primary")
    new = not psql(PORTS["PG_PRIMARY_PORT"], f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
    if new:
        psql(PORTS["PG_PRIMARY_PORT"], f"CREATE DATABASE {DATABASE}")
    make_replica()
    start("pg-replica", "pgbouncer")
    wait_for_postgres(PORTS["PG_REPLICA_PORT"], "PostgreSQL replica")
    wait_for_port(PORTS["PGBOUNCER_PORT"], "PgBouncer")
    wait_for_port(PORTS["REDIS_PORT"], "Redis")
    wait_for_port(PORTS["S3_PORT"], "SeaweedFS S3 gateway", timeout=120)
    create_bucket()
    manage("migrate", "--no-input", "-v", "0")
    manage("collectstatic", "--no-input", "-v", "0")
    if new:  # the demo refuses production settings, which guard real installations; this set is for trying
        manage("seed_demo", MITWIRKEN_ENV="development")
    # restart, not start: a second `make cluster` after a code change runs the new code
    result = supervisorctl("restart", "app:*", "worker:*", "nginx", check=False)
    if "ERROR" in result.stdout.replace("ERROR (not running)", ""):  # the stop half of a first start
        raise SystemExit(f"could not start the portal:\n{result.stdout}{result.stderr}")
    for n in range(APP_INSTANCES):
        wait_for_port(PORTS["APP_PORT"] + n, f"app instance {n + 1}")
    wait_for_port(PORTS["HTTPS_PORT"], "nginx")
    print(f"Portal: {base_url()}/   (self-signed certificate; stop with make cluster-stop)")
    print(supervisorctl("status", check=False).stdout)


def down() -> None:
    if not supervisor_running():
        print("The cluster is not running.")
        return
    pid = supervisorctl("pid").stdout.strip()
    supervisorctl("shutdown", check=False)
    for _ in range(300):  # supervisord stops its programs (databases last), then itself
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.2)
    print("Cluster stopped; its data stays in", CLUSTER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "env", "ports"])
    args = parser.parse_args()
    if args.command == "up":
        up()
    elif args.command == "down":
        down()
    elif args.command == "status":
        print(supervisorctl("status", check=False).stdout if supervisor_running() else "The cluster is not running.")
    elif args.command == "env":  # for a shell: eval "$(python -m devtools.cluster env)"
        for key, value in direct_env().items():
            if key in app_env():
                print(f"export {key}={shlex.quote(value)}")
    else:
        print(json.dumps(PORTS, indent=1))


if __name__ == "__main__":
    main()
