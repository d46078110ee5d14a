/**
 * Runs `run` at once when asked, then at most once every `ms` however often it is asked: a request inside the
 * window runs once at its end, so the last one is never lost. `cancel` drops a pending run.
 */
export function paced({ run, ms }: { run: () => void; ms: number }): {
	request: () => void;
	cancel: () => void;
} {
	let last = -Infinity;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const fire = () => {
		timer = undefined;
		last = Date.now();
		run();
	};
	return {
		request() {
			if (timer !== undefined) return;
			const wait = last + ms - Date.now();
			if (wait <= 0) fire();
			else timer = setTimeout(fire, wait);
		},
		cancel() {
			if (timer !== undefined) clearTimeout(timer);
			timer = undefined;
		}
	};
}
