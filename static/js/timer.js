// A countdown shown from the server's end time, never from a client's own tick: every screen
// shows the same time left, whatever its clock says. `server_time` in each payload gives the offset.

export function clockOffset(serverTime) {
  return serverTime ? Date.parse(serverTime) - Date.now() : 0;
}

/** Seconds as "m:ss" (never below zero). */
export function format(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export class Countdown {
  constructor(element, t) {
    Object.assign(this, { element, t, timer: null, offset: 0 });
    setInterval(() => this.tick(), 250);
  }

  set(timer, serverTime) {
    this.timer = timer;
    if (serverTime) this.offset = clockOffset(serverTime);
    this.tick();
  }

  secondsLeft() {
    const timer = this.timer;
    if (!timer) return null;
    if (timer.remaining !== null && timer.remaining !== undefined) return timer.remaining;
    if (!timer.ends_at) return null;
    return (Date.parse(timer.ends_at) - (Date.now() + this.offset)) / 1000;
  }

  tick() {
    const left = this.secondsLeft();
    const paused = this.timer && this.timer.remaining !== null && this.timer.remaining !== undefined;
    let text = "";
    if (left !== null) {
      if (paused) text = this.t("timer.paused", { time: format(left) });
      else if (left <= 0) text = this.t("timer.up");
      else text = this.t("timer", { time: format(left) });
    }
    if (this.element.textContent !== text) this.element.textContent = text;
    const state = left === null ? "off" : paused ? "paused" : left <= 0 ? "up" : "running";
    this.element.dataset.state = state;
    if (state !== this.state) {
      const was = this.state;
      this.state = state;
      if (was !== undefined && this.onState) this.onState(state); // not for the state the page opened in
    }
    this.element.hidden = left === null;
  }
}
