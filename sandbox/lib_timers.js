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
    if (min === Infinity) return -1;
    const left = min - I.DateNow(); // no Math.max: connector code may have replaced it
    return left > 0 ? left : 0;
  }
  // Called once per due timer (see the driver's runTimers): `first` takes the snapshot of the
  // timers due now; each call runs the next of them and says whether another is left.
  let due = [], dueAt = 0, dueNow = 0;
  function runTimers(first) {
    if (first) {
      const now = dueNow = I.DateNow();
      due = [];
      dueAt = 0;
      for (const [id, t] of timers) if (t.due <= now) I.push(due, [id, t]);
      due.sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
    }
    while (dueAt < due.length) {
      const [id, t] = due[dueAt++];
      if (!timers.has(id)) continue; // cleared by an earlier callback
      if (t.every) t.due = dueNow + t.every; else timers.delete(id);
      try {
        t.fn(...t.args);
      } catch (e) {
        I.uncaught(e);
      }
      break;
    }
    return dueAt < due.length ? 1 : 0;
  }

  const setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
  Object.assign(I, { setTimeout, setInterval, clearTimeout, setImmediate, nextTimerDelay, runTimers });
})
