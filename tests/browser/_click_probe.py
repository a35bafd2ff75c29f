"""Where the time of one click goes in JupyterLab, from the input to the new chart on screen.

``PROBE`` is a script for a page (``page.add_init_script``). With the page's own clock
(``performance.now()``) it writes down, in ``window.__ibProbe``:

- ``inputs``: every press of a pointer and every Enter key (how a reader changes a control);
- ``sends`` and ``recvs``: every frame the page sends on, or receives from, a websocket (the
  kernel's channels), with its size and the Jupyter ``msg_type`` and ``execution_state`` read
  from the frame's header;
- ``srcs``: every new ``src`` of a widget image (ipywidgets sets one for each new picture), with
  ``target`` true for the image the test marked with ``data-ib-probe``;
- ``decoded``: when that new picture has been decoded and can be painted (also with ``target``).

``click_phases(log, since)`` turns what the probe saw after ``since`` into the phases of one
change. The phases add up to ``total_ms``:

- ``page_to_kernel_ms``: input -> the widget's update leaves the page (JupyterLab, ipywidgets);
- ``kernel_start_ms``: -> the kernel says it is busy (the server and the kernel's queue);
- ``kernel_work_ms``: -> the frame with the new picture arrives (the model, matplotlib's redraw,
  PNG encoding, the trip back through the server);
- ``page_update_ms``: -> ipywidgets gives the image its new picture (JupyterLab and ipywidgets
  handle the frames in order on the page's one thread);
- ``page_decode_ms``: -> Chromium has decoded the new picture.

The page's clock says when the page *handled* a frame, which can be later than its arrival when the
page's one thread is busy. So ``kernel_clock_ms`` (not part of the sum) is the kernel's own
account: the time between the kernel's headers of "busy" and of the picture's message, by the
kernel's clock (the model, the redraw, PNG encoding and sending).

Pure Python, so the arithmetic has unit tests without a browser (tests/test_bench.py).
"""
from __future__ import annotations

PROBE = """
(() => {
  if (window.__ibProbe) return;
  const log = window.__ibProbe = {inputs: [], sends: [], recvs: [], srcs: [], decoded: []};
  const decoder = new TextDecoder();
  const head = (data) => {
    let text = '';
    if (typeof data === 'string') text = data.slice(0, 6000);
    else if (data instanceof ArrayBuffer) text = decoder.decode(new Uint8Array(data, 0, Math.min(data.byteLength, 6000)));
    else if (ArrayBuffer.isView(data)) text = decoder.decode(new Uint8Array(data.buffer, data.byteOffset, Math.min(data.byteLength, 6000)));
    const type = (text.match(/"msg_type":\\s*"([a-z_]+)"/) || [])[1] || null;
    const state = (text.match(/"execution_state":\\s*"([a-z]+)"/) || [])[1] || null;
    const date = (text.match(/"date":\\s*"([^"]+)"/) || [])[1] || null;  // the header's, by the kernel's clock
    return {type, state, date};
  };
  const size = (data) => typeof data === 'string' ? data.length : (data.byteLength ?? data.size ?? 0);
  // Listen on each socket from its construction, before JupyterLab sets its onmessage: the page
  // then writes a frame down before JupyterLab handles it (a later listener would see it after).
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        log.recvs.push({t: performance.now(), size: size(e.data), ...head(e.data)});
      });
    }
  };
  const send = Native.prototype.send;
  Native.prototype.send = function (data) {
    log.sends.push({t: performance.now(), size: size(data), ...head(data)});
    return send.call(this, data);
  };
  document.addEventListener('pointerdown', () => log.inputs.push(performance.now()), true);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') log.inputs.push(performance.now()); }, true);
  new MutationObserver((changes) => {
    const t = performance.now();
    for (const c of changes) {
      const img = c.target;
      if (!img.classList || !img.classList.contains('widget-image')) continue;
      const target = img.hasAttribute('data-ib-probe');  // the image the test watches
      log.srcs.push({t, target});
      img.decode().then(() => log.decoded.push({t: performance.now(), target}), () => {});
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['src']});
})();
"""

# What the page saw after a mark, small enough to fetch after every change.
SINCE = """(mark) => { const p = window.__ibProbe; if (!p) return null;
  const after = (xs) => xs.filter(x => (typeof x === 'number' ? x : x.t) > mark);
  return {inputs: after(p.inputs), sends: after(p.sends), recvs: after(p.recvs),
          srcs: after(p.srcs), decoded: after(p.decoded)}; }"""

# The change is over: the kernel is idle again and the watched image's latest picture is decoded.
PICTURE_DECODED = """(mark) => { const p = window.__ibProbe;
  const idle = p.recvs.some(r => r.t > mark && r.type === 'status' && r.state === 'idle');
  const shown = p.srcs.filter(s => s.target && s.t > mark);
  if (!idle || !shown.length) return false;
  const last = shown[shown.length - 1].t;
  return p.decoded.some(d => d.target && d.t > last); }"""

PHASES = ("page_to_kernel_ms", "kernel_start_ms", "kernel_work_ms", "page_update_ms", "page_decode_ms")


def click_phases(log: dict | None, since: float = float("-inf")) -> dict:
    """The phases of the first change after ``since`` (milliseconds, rounded to 0.1), or
    ``{"missing": what}`` naming the first event the probe did not see."""
    if not log:
        return {"missing": "the probe (it was not installed in the page)"}

    def first(items, after, test=lambda x: True):
        for x in items:
            t = x if isinstance(x, (int, float)) else x["t"]
            if t > after and test(x):
                return t, x
        return None, None

    t_in, _ = first(log.get("inputs", []), since)
    if t_in is None:
        return {"missing": "the input (a pointer press or Enter)"}
    t_send, _ = first(log.get("sends", []), t_in, lambda x: x.get("type") == "comm_msg")
    if t_send is None:
        return {"missing": "the widget's update leaving the page"}
    target = lambda x: not isinstance(x, dict) or x.get("target", True)  # noqa: E731
    t_busy, _ = first(log.get("recvs", []), t_send,
                      lambda x: x.get("type") == "status" and x.get("state") == "busy")
    if t_busy is None:
        return {"missing": "the kernel saying it is busy"}
    t_idle, _ = first(log.get("recvs", []), t_busy,
                      lambda x: x.get("type") == "status" and x.get("state") == "idle")
    if t_idle is None:
        return {"missing": "the kernel saying it is idle again"}
    pictures = [x for x in log.get("recvs", []) if t_busy < x["t"] < t_idle and x.get("type") == "comm_msg"]
    if not pictures:
        return {"missing": "the frame that carried the new picture"}
    picture = max(pictures, key=lambda x: x.get("size", 0))  # a PNG outweighs every other update
    t_picture = picture["t"]
    busy = next(x for x in log["recvs"] if x["t"] == t_busy and x.get("type") == "status")
    t_shown, _ = first(log.get("srcs", []), t_picture, target)
    if t_shown is None:
        return {"missing": "a new picture in the watched image"}
    t_decoded, _ = first(log.get("decoded", []), t_shown, target)
    if t_decoded is None:
        return {"missing": "the new picture being decoded"}
    marks = (t_in, t_send, t_busy, t_picture, t_shown, t_decoded)
    out = {name: round(b - a, 1) for name, a, b in zip(PHASES, marks, marks[1:])}
    out["total_ms"] = round(t_decoded - t_in, 1)
    kernel = _ms_between(busy.get("date"), picture.get("date"))
    if kernel is not None:
        out["kernel_clock_ms"] = kernel
    return out


def _ms_between(start: str | None, end: str | None) -> float | None:
    """Milliseconds from one Jupyter header date (ISO 8601) to another; None if either is missing."""
    from datetime import datetime

    if not start or not end:
        return None
    try:
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1e3, 1)
    except ValueError:
        return None
