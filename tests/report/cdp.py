"""Drive headless Debian chromium over the DevTools protocol (tests only).

``open_page(path)`` loads a local HTML file in a fresh headless chromium and
returns what a user would hit: console errors and uncaught exceptions, the
number of plotly charts drawn, and a full-page PNG screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*", "--hide-scrollbars"]

COUNT_JS = """JSON.stringify({
  plots: document.querySelectorAll('.js-plotly-plot').length,
  drawn: Array.from(document.querySelectorAll('.js-plotly-plot')).filter(
      d => d.querySelector('.main-svg') && d.querySelectorAll('.main-svg path, .main-svg rect')
          .length > 0).length,
  figures: document.querySelectorAll('div.figure').length,
  traces: Array.from(document.querySelectorAll('.js-plotly-plot')).map(
      d => d.querySelectorAll('.trace, .hm').length),
  height: document.documentElement.scrollHeight})"""


@dataclass
class PageReport:
    """What loading one page showed."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    plots: int = 0
    drawn: int = 0
    figures: int = 0
    traces: list[int] = field(default_factory=list)
    screenshot: bytes = b""


class _Session:
    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if any(e["method"] == name for e in self.events):
            return
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == name:
                    return
        raise TimeoutError(f"no {name} within {timeout} s")

    def close(self) -> None:
        self.ws.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                              for a in p.get("args", [])))
        elif e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("exception: " + str(d.get("exception", {}).get("description",
                                                                      d.get("text", ""))))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append("log: " + str(p["entry"].get("text", "")))
    return out


def _port(profile: Path, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.is_file():
            text = marker.read_text().split()
            if text:
                return int(text[0])
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with code {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


def open_page(path: Path, width: int = 1400, settle: float = 20.0) -> PageReport:
    """Load ``path`` (a local HTML file) in headless chromium and inspect it."""
    profile = Path(tempfile.mkdtemp(prefix="qtbt-chromium-"))
    proc = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}",
                             "about:blank"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "HOME": str(profile)})
    try:
        port = _port(profile, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.loads(resp.read())
        page = next(t for t in targets if t.get("type") == "page")
        s = _Session(page["webSocketDebuggerUrl"])
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                s.call(f"{domain}.enable")
            s.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                   deviceScaleFactor=1, mobile=False)
            s.events.clear()
            s.call("Page.navigate", url=path.resolve().as_uri())
            s.wait_event("Page.loadEventFired", timeout=60)
            report = PageReport()
            deadline = time.monotonic() + settle
            while True:  # charts draw after load; wait until all are drawn or time is up
                res = s.call("Runtime.evaluate", expression=COUNT_JS, returnByValue=True)
                counts = json.loads(res["result"]["value"])
                if counts["drawn"] >= counts["figures"] or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            time.sleep(0.5)
            report.plots, report.drawn = counts["plots"], counts["drawn"]
            report.figures, report.traces = counts["figures"], counts["traces"]
            s.call("Emulation.setDeviceMetricsOverride", width=width,
                   height=int(counts["height"]), deviceScaleFactor=1, mobile=False)
            time.sleep(0.5)
            shot = s.call("Page.captureScreenshot", format="png")
            report.screenshot = base64.b64decode(shot["data"])
            report.errors = _errors(s.events)
            report.dialogs = [str(e["params"].get("message")) for e in s.events
                              if e["method"] == "Page.javascriptDialogOpening"]
            report.requests = [str(e["params"]["request"]["url"]) for e in s.events
                               if e["method"] == "Network.requestWillBeSent"]
            return report
        finally:
            s.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
