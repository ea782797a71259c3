"""An S3 server for the tests: moto's server mode, started by the test on a free port.

`MotoS3.start()` runs `python -m moto.server` in a process of its own (so stopping it is a
real outage, as a store that goes away), waits until it answers and makes the bucket.
`storage_settings()` is the "transfers" entry of STORAGES that settings.py would build from
S2S_S3_BUCKET and S2S_S3_ENDPOINT_URL; `environment()` is those variables, for a server
process.
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

BUCKET = "s2s-test-transfers"
REGION = "eu-west-2"
# moto accepts any keys; these say so.
ACCESS_KEY, SECRET_KEY = "moto-test-key", "moto-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MotoS3:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoS3":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        self.client().create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def objects(self) -> dict[str, bytes]:
        """Return every object in the bucket, by key."""
        client = self.client()
        listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                for item in listing}

    def storage_settings(self) -> dict:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "location": "transfers",
                        "endpoint_url": self.endpoint, "region_name": REGION,
                        "access_key": ACCESS_KEY, "secret_key": SECRET_KEY,
                        "max_memory_size": 1024 * 1024},
        }

    def environment(self) -> dict[str, str]:
        return {"S2S_S3_BUCKET": BUCKET, "S2S_S3_ENDPOINT_URL": self.endpoint,
                "S2S_S3_REGION": REGION, "S2S_S3_ACCESS_KEY_ID": ACCESS_KEY,
                "S2S_S3_SECRET_ACCESS_KEY": SECRET_KEY}
