/** A sleep that a config change, a tractor's exit or a signal can cut short. */
export class Waker {
  private pending: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.pending = resolve;
      this.timer = setTimeout(() => this.wake(), Math.max(0, ms));
    });
  }

  /** Ends the current sleep; when none is under way, the next one returns at once. */
  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const resolve = this.pending;
    this.pending = null;
    if (resolve) resolve();
    else this.woken = true;
  }
}
