# Talks to the Troupe agent on this computer: its control API listens on 127.0.0.1 only, on the
# port it writes to control.json in its data folder, and wants the per-user token from the
# control-token file beside it (readable by this user alone, new on every start). The token is sent
# only once the listener has proved it holds it (agent-proof.ts: HMAC-SHA256 of the port and a
# nonce), so a program that took a crashed agent's port never sees it.

import hashlib
import hmac
import json
import os
import secrets
import sys
import urllib.error
import urllib.request

# One blocking call from Blender's UI thread: a local agent answers in milliseconds, and a stuck
# one must not freeze Blender for long; on a machine busy rendering, a few seconds is not stuck.
TIMEOUT_S = 10.0
# Sending a job: the agent reads the .blend first (its size, frames, the files it needs), which on a
# machine busy rendering takes more than a quick answer does.
SUBMIT_TIMEOUT_S = 60.0


class AgentUnavailable(Exception):
    """The agent is not running here, or did not answer: the user should start Troupe."""


class AgentError(Exception):
    """The agent answered with an error: its message is meant for the user."""


def data_dir(env=os.environ, platform=sys.platform):
    """The agent's data folder, as the agent itself chooses it (agent-config.ts defaultDataDir)."""
    if env.get("TROUPE_HOME"):
        return env["TROUPE_HOME"]
    home = os.path.expanduser("~")
    if platform == "win32":
        return os.path.join(env.get("APPDATA") or os.path.join(home, "AppData", "Roaming"), "Troupe")
    if platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "Troupe")
    return os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "troupe")


NOT_RUNNING = "Troupe isn't running on this computer. Start Troupe, then try again."
NOT_OURS = (
    "Something else answers where Troupe was (Troupe may have stopped). Nothing was sent to it. "
    "Start Troupe, then try again."
)


def not_answering(timeout_s):
    return f"Troupe is running but did not answer within {timeout_s:g} s (this computer may be busy). Try again in a moment."


class AgentClient:
    def __init__(self, folder=None):
        folder = folder or data_dir()
        try:
            with open(os.path.join(folder, "control.json"), encoding="utf-8") as f:
                self.port = int(json.load(f)["port"])
            with open(os.path.join(folder, "control-token"), encoding="utf-8") as f:
                self.token = f.read().strip()
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise AgentUnavailable(NOT_RUNNING) from err
        self.proven = False

    def _prove(self, timeout_s):
        """Asks the listener to prove it holds our token; raises unless it does."""
        nonce = secrets.token_hex(32)
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/agent-proof?nonce={nonce}", method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                proof = json.loads(response.read().decode("utf-8") or "null").get("proof")
        except urllib.error.HTTPError as err:
            raise AgentUnavailable(NOT_OURS) from err
        except (urllib.error.URLError, OSError) as err:
            if isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None), TimeoutError):
                raise AgentUnavailable(not_answering(timeout_s)) from err
            raise AgentUnavailable(NOT_RUNNING) from err
        except (ValueError, AttributeError) as err:
            raise AgentUnavailable(NOT_OURS) from err
        message = f"troupe-agent-proof/1|{self.port}|{nonce}".encode("utf-8")
        expected = hmac.new(self.token.encode("utf-8"), message, hashlib.sha256).hexdigest()
        if not isinstance(proof, str) or not hmac.compare_digest(proof, expected):
            raise AgentUnavailable(NOT_OURS)
        self.proven = True

    def call(self, method, path, body=None, timeout_s=TIMEOUT_S):
        if not self.proven:
            self._prove(min(timeout_s, TIMEOUT_S))
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as err:
            raise AgentError(_error_message(err)) from err
        except (urllib.error.URLError, OSError) as err:
            # A timeout is an agent that is there but slow (the machine is busy): saying it is not
            # running would send the user to start a second one.
            if isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None), TimeoutError):
                raise AgentUnavailable(not_answering(timeout_s)) from err
            # control.json outlives an agent that crashed: a refused connection means it is gone.
            raise AgentUnavailable(NOT_RUNNING) from err


def _error_message(err):
    try:
        body = json.loads(err.read().decode("utf-8"))
        return body.get("error", {}).get("message") or body.get("message") or str(err)
    except (ValueError, AttributeError):
        return f"Troupe answered {err.code} {err.reason}"
