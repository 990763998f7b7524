// Lazily evaluated part of the prelude ("timers"): setTimeout and friends, on real time; the
// Python side asks for the next due time and fires due timers (see sandbox/_sandbox.py).
(function (I) {
  "use strict";
  // ---------------------------------------------------------------- timers (driven by Python)
  const timers = new Map();
  let timerSeq = 1;
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    let delay = Number(ms);
    if (!(delay >= 0)) delay = 0;
    const id = timerSeq++;
    timers.set(id, { fn, args, due: I.DateNow() + delay, every: repeat ? Math.max(delay, 1) : 0 });
    return id;
  }
  function setTimeout(fn, ms, ...args) { return addTimer(fn, ms, args, false); }
  function setInterval(fn, ms, ...args) { return addTimer(fn, ms, args, true); }
  function clearTimeout(id) { timers.delete(Number(id)); }
  function nextTimerDelay() {
    let min = Infinity;
    for (const t of timers.values()) if (t.due < min) min = t.due;
    return min === Infinity ? -1 : Math.max(0, min - I.DateNow());
  }
  function runTimers() {
    const now = I.DateNow();
    const due = [];
    for (const [id, t] of timers) if (t.due <= now) due.push([id, t]);
    due.sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
    for (const [id, t] of due) {
      if (!timers.has(id)) continue; // cleared by an earlier callback
      if (t.every) t.due = now + t.every; else timers.delete(id);
      try {
        t.fn(...t.args);
      } catch (e) {
        I.uncaught(e);
      }
    }
  }

  const setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
  Object.assign(I, { setTimeout, setInterval, clearTimeout, setImmediate, nextTimerDelay, runTimers });
})
