// The guided session player (templates/runner/player.html): one exercise at a time, and
// timers that run by themselves (hold, relax, rest between sets, a repetition pace).
// Progressive enhancement: without this file the page stays one long form that saves the
// same log. Every word shown comes from data- attributes the server translated.
//
// The timers keep wall-clock timestamps in localStorage (keyed by the session), never a
// count of ticks: where a timer stands is always worked out from "started at", the time
// spent paused and the time skipped, so a reload, a dropped connection or a phone that
// slept for a minute resumes where the exercise really is.
(function () {
  "use strict";

  var KEY = "rehab:player:";
  var READY_MS = 5000; // "get ready" before the first hold or set
  var TICK_MS = 200;
  var LIVE_GAP_MS = 1500; // a longer gap between ticks: catching up, no cues for the past

  function noop() {}

  function now() {
    return Date.now();
  }

  function storage() {
    try {
      window.localStorage.setItem(KEY + "probe", "1");
      window.localStorage.removeItem(KEY + "probe");
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function format(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return name in values ? String(values[name]) : match;
    });
  }

  function number(el, name, fallback) {
    var value = parseInt(el.getAttribute("data-" + name), 10);
    return isNaN(value) ? fallback : value;
  }

  function show(el, visible) {
    if (el) el.hidden = !visible;
  }

  // --- Cues: tones from an oscillator (no audio files) and vibration where present ------

  var audio = null;

  function wakeAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try {
        audio = new Context();
      } catch (e) {
        audio = null;
      }
    }
    if (audio && audio.state === "suspended") audio.resume().catch(noop);
  }

  function tone(frequency, ms, delay) {
    if (!audio || audio.state !== "running") return;
    var start = audio.currentTime + (delay || 0) / 1000;
    var end = start + ms / 1000;
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, end);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(end + 0.02);
  }

  // [frequency Hz, length ms, delay ms]: high to work, lower to relax, lowest to rest.
  var TONES = {
    hold: [[880, 260, 0]],
    work: [[880, 260, 0]],
    relax: [[587, 200, 0]],
    rest: [[440, 320, 0]],
    count: [[660, 90, 0]],
    beat: [[988, 70, 0]],
    beat2: [[740, 70, 0]],
    done: [[660, 150, 0], [880, 150, 180], [1175, 320, 360]]
  };
  var BUZZ = { hold: [200], work: [200], relax: [80], rest: [300], done: [150, 100, 150, 100, 300] };

  function cue(kind, sound) {
    if (!sound) return;
    (TONES[kind] || []).forEach(function (t) { tone(t[0], t[1], t[2]); });
    if (BUZZ[kind] && navigator.vibrate) {
      try { navigator.vibrate(BUZZ[kind]); } catch (e) { /* not allowed here */ }
    }
  }

  // --- Screen Wake Lock while a timer runs, taken again when the page is shown again -----

  var lock = null;
  var wantLock = false;

  function keepAwake(on) {
    wantLock = on;
    if (!on) {
      if (lock) lock.release().catch(noop);
      lock = null;
      return;
    }
    if (lock || !navigator.wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      sentinel.addEventListener("release", function () { if (lock === sentinel) lock = null; });
      if (!wantLock) keepAwake(false);
    }).catch(noop); // refused (battery saver, no permission): the timer runs all the same
  }

  // --- Timelines --------------------------------------------------------------------------

  // Every phase of one exercise, in order, from the prescription's data- attributes.
  function timeline(box) {
    var sets = Math.max(1, number(box, "sets", 1));
    var reps = Math.max(1, number(box, "reps", 1));
    var hold = number(box, "hold", 0) * 1000;
    var relax = number(box, "relax", 0) * 1000;
    var rest = number(box, "rest", 0) * 1000;
    var pace = (box.getAttribute("data-pace") || "2-2").split("-").map(function (part) {
      return Math.max(0, parseInt(part, 10) || 0) * 1000;
    });
    var repMs = pace.reduce(function (a, b) { return a + b; }, 0) || 4000;
    var phases = [{ kind: "ready", ms: READY_MS, set: 0 }];
    for (var set = 0; set < sets; set++) {
      if (hold) {
        for (var rep = 0; rep < reps; rep++) {
          phases.push({ kind: "hold", ms: hold, set: set, rep: rep, ends: rep === reps - 1 });
          if (rep < reps - 1 && relax) phases.push({ kind: "relax", ms: relax, set: set, rep: rep });
        }
      } else {
        phases.push({ kind: "work", ms: reps * repMs, set: set, ends: true });
      }
      if (set < sets - 1 && rest) phases.push({ kind: "rest", ms: rest, set: set });
    }
    return { phases: phases, sets: sets, reps: reps, pace: pace, repMs: repMs };
  }

  function elapsed(record) {
    var until = record.pausedAt || now();
    return until - record.startedAt - (record.pausedMs || 0) + (record.skippedMs || 0);
  }

  // Where the timeline stands `ms` after the start, and how many sets are behind it.
  function locate(plan, ms) {
    var start = 0;
    var setsDone = 0;
    for (var i = 0; i < plan.phases.length; i++) {
      var phase = plan.phases[i];
      if (ms < start + phase.ms) {
        return { index: i, phase: phase, into: ms - start, left: start + phase.ms - ms, setsDone: setsDone };
      }
      start += phase.ms;
      if (phase.ends) setsDone += 1;
    }
    return { index: plan.phases.length, phase: null, into: 0, left: 0, setsDone: setsDone };
  }

  // --- The player -------------------------------------------------------------------------

  function Player(form) {
    var store = storage();
    var key = KEY + form.getAttribute("data-player");
    var state = null;
    try { state = store ? JSON.parse(store.getItem(key) || "null") : null; } catch (e) { state = null; }
    if (!state || typeof state !== "object") state = {};
    state.timers = state.timers || {};
    if (!("sound" in state)) state.sound = true;

    function save() {
      if (!store) return;
      try { store.setItem(key, JSON.stringify(state)); } catch (e) { /* storage full */ }
    }

    function msg(name, values) {
      return format(form.getAttribute("data-msg-" + name), values || {});
    }

    var timers = [];
    var loop = null;
    var lastTick = 0;

    function running() {
      return timers.some(function (t) { return t.isRunning(); });
    }

    function tick() {
      var at = now();
      var live = at - lastTick < LIVE_GAP_MS;
      lastTick = at;
      timers.forEach(function (t) { t.render(live); });
      if (!running()) {
        window.clearInterval(loop);
        loop = null;
        keepAwake(false);
      }
    }

    function wake() {
      keepAwake(true);
      if (!loop) {
        lastTick = now();
        loop = window.setInterval(tick, TICK_MS);
      }
    }

    function Timer(box) {
      var id = box.getAttribute("data-timer");
      var plan = timeline(box);
      var article = box.closest("article");
      var setsField = article.querySelector("input[name$='-sets_done']");
      var logBox = article.querySelector("[data-exercise-log]");
      function part(name) { return box.querySelector("[data-timer-" + name + "]"); }
      var el = {
        phase: part("phase"), clock: part("clock"), progress: part("progress"),
        detail: part("detail"), sets: part("sets"), live: part("live"),
        start: part("start"), pause: part("pause"), resume: part("resume"),
        skip: part("skip"), reset: part("reset")
      };
      var beep = box.querySelector("[data-tempo-beep]");
      var shown = null; // the phase index on screen, null before the first render
      var beat = null;
      var idleText = el.phase.textContent;
      var idleClock = el.clock.textContent;

      function record() { return state.timers[id] || null; }

      function announce(text) {
        el.live.textContent = text;
      }

      function buttons(pos, rec) {
        var paused = rec && rec.pausedAt;
        var over = pos && !pos.phase;
        var focused = document.activeElement;
        show(el.start, !rec);
        show(el.pause, rec && !paused && !over);
        show(el.resume, rec && paused && !over);
        show(el.skip, rec && !over);
        show(el.reset, !!rec);
        if (pos && pos.phase) el.skip.textContent = msg(pos.phase.kind === "work" ? "set-done" : "skip");
        // A keyboard user's focus stays on the control that replaced the one pressed.
        if (focused && focused.hidden && box.contains(focused)) {
          var next = [el.pause, el.resume, el.start, el.reset].filter(function (b) { return !b.hidden; })[0];
          if (next) next.focus();
        }
      }

      function fill(done) {
        var rec = record();
        if (!rec || !setsField || done === (rec.filled || 0)) return;
        rec.filled = done;
        save();
        if (done > 0) {
          setsField.value = String(done);
          setsField.dispatchEvent(new Event("input", { bubbles: true })); // app.js keeps it
        }
      }

      function describe(phase) {
        var setText = msg("set", { set: phase.set + (phase.kind === "rest" ? 2 : 1), sets: plan.sets });
        if (phase.kind === "hold" || phase.kind === "relax") {
          return setText + " · " + msg("hold-n", { rep: phase.rep + 1, reps: plan.reps });
        }
        return setText;
      }

      function render(live) {
        var rec = record();
        if (!rec) {
          box.removeAttribute("data-phase");
          el.phase.textContent = idleText;
          el.clock.textContent = idleClock;
          el.detail.textContent = "";
          el.progress.value = 0;
          el.sets.textContent = msg("sets-done", { done: 0, sets: plan.sets });
          shown = null;
          buttons(null, null);
          return;
        }
        var pos = locate(plan, elapsed(rec));
        var phase = pos.phase;
        var kind = phase ? phase.kind : "done";
        if (pos.index !== shown) {
          var first = shown === null;
          shown = pos.index;
          box.setAttribute("data-phase", kind);
          el.phase.textContent = msg(kind);
          el.detail.textContent = phase ? describe(phase) : "";
          announce(rec.pausedAt ? msg("paused") + ": " + msg(kind) : msg(kind) + (phase ? ". " + describe(phase) : ""));
          if (rec.phase !== kind || rec.index !== pos.index) {
            rec.phase = kind; // kept with the timestamps, for whoever reads the stored state
            rec.index = pos.index;
            save();
          }
          if (live && !first) cue(kind, state.sound);
          if (!phase && live && !first && logBox) logBox.focus();
        }
        fill(pos.setsDone);
        el.sets.textContent = msg("sets-done", { done: pos.setsDone, sets: plan.sets });
        buttons(pos, rec);
        if (!phase) {
          el.clock.textContent = "✓";
          el.progress.value = 1;
          return;
        }
        el.progress.value = phase.ms ? pos.into / phase.ms : 0;
        var seconds = Math.ceil(pos.left / 1000);
        if (kind === "work") {
          var rep = Math.min(plan.reps, Math.floor(pos.into / plan.repMs) + 1);
          el.clock.textContent = rep + "/" + plan.reps;
          el.detail.textContent = describe(phase) + " · " + msg("rep-n", { rep: rep, reps: plan.reps });
          var within = pos.into - (rep - 1) * plan.repMs;
          var segment = 0;
          for (var s = 0, edge = 0; s < plan.pace.length; s++) {
            edge += plan.pace[s];
            if (within < edge) { segment = s; break; }
          }
          var mark = rep + ":" + segment;
          if (mark !== beat) {
            if (beat !== null && live && beep && beep.checked && !rec.pausedAt) {
              cue(segment === 0 ? "beat" : "beat2", state.sound);
            }
            beat = mark;
          }
        } else {
          el.clock.textContent = msg("seconds", { n: seconds });
          if ((kind === "rest" || kind === "ready") && seconds <= 3 && live && !rec.pausedAt) {
            var mark2 = kind + pos.index + ":" + seconds;
            if (mark2 !== beat) { beat = mark2; cue("count", state.sound); }
          }
        }
      }

      el.start.addEventListener("click", function () {
        wakeAudio();
        state.timers[id] = { startedAt: now(), pausedAt: null, pausedMs: 0, skippedMs: 0, filled: 0 };
        save();
        render(true);
        wake();
      });
      el.pause.addEventListener("click", function () {
        var rec = record();
        if (!rec || rec.pausedAt) return;
        rec.pausedAt = now();
        save();
        shown = null; // redraw: the live region says "Paused"
        render(false);
        if (!running()) keepAwake(false);
      });
      el.resume.addEventListener("click", function () {
        var rec = record();
        if (!rec || !rec.pausedAt) return;
        wakeAudio();
        rec.pausedMs = (rec.pausedMs || 0) + (now() - rec.pausedAt);
        rec.pausedAt = null;
        save();
        shown = null;
        render(false);
        announce(msg("resumed") + ": " + el.phase.textContent);
        wake();
      });
      el.skip.addEventListener("click", function () {
        var rec = record();
        if (!rec) return;
        var pos = locate(plan, elapsed(rec));
        rec.skippedMs = (rec.skippedMs || 0) + pos.left;
        save();
        render(true);
      });
      el.reset.addEventListener("click", function () {
        delete state.timers[id];
        save();
        render(false);
        el.start.focus();
      });

      box.hidden = false;
      return {
        render: render,
        isRunning: function () {
          var rec = record();
          return !!rec && !rec.pausedAt && locate(plan, elapsed(rec)).phase !== null;
        }
      };
    }

    form.querySelectorAll("[data-timer]").forEach(function (box) { timers.push(Timer(box)); });
    timers.forEach(function (t) { t.render(false); });
    if (running()) wake();

    var sound = form.querySelector("[data-sound]");
    var options = form.querySelector("[data-player-options]");
    if (sound) {
      sound.checked = !!state.sound;
      sound.addEventListener("change", function () {
        state.sound = sound.checked;
        if (sound.checked) wakeAudio();
        save();
      });
    }
    show(options, timers.length > 0);

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible") return;
      if (running()) keepAwake(true);
      tick(); // catch up after the phone slept
    });

    // --- One step at a time -------------------------------------------------------------
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var current = 0;

    function go(index, moveFocus) {
      current = Math.max(0, Math.min(steps.length - 1, index));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      state.step = current;
      save();
      if (moveFocus) {
        var heading = steps[current].querySelector("h2");
        if (heading) {
          heading.focus();
          heading.scrollIntoView({ block: "start" });
        }
      }
    }

    form.classList.add("stepping");
    steps.forEach(function (step, i) {
      step.querySelectorAll("[data-step-count], [data-step-nav]").forEach(function (el) { show(el, true); });
      step.querySelectorAll("[data-step-back]").forEach(function (button) {
        show(button, i > 0);
        button.addEventListener("click", function () { go(i - 1, true); });
      });
      step.querySelectorAll("[data-step-next]").forEach(function (button) {
        button.addEventListener("click", function () { go(i + 1, true); });
      });
    });
    // Enter in a field of an exercise moves nothing and sends nothing: the Save button
    // is on the last step.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || target.tagName !== "INPUT") return;
      if (current < steps.length - 1) event.preventDefault();
    });
    var withErrors = steps.findIndex(function (step) {
      return step.querySelector(".errorlist, [role=alert]") !== null;
    });
    var saved = typeof state.step === "number" ? state.step : 0;
    go(withErrors >= 0 ? withErrors : saved, withErrors >= 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-player]");
    if (form) Player(form);
  });
})();
