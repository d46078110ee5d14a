import { describe, expect, it } from 'vitest';
import { ActionStatus } from './action-status.svelte';

class Probe extends ActionStatus {
	run<T>(failure: string, action: () => Promise<T>) {
		return this.busyWith({ failure, action });
	}
	say(message: string) {
		this.report(message);
	}
	clear() {
		this.clearStatus();
	}
}

describe('ActionStatus', () => {
	it('is busy while the action runs, and a throw becomes the error with what failed in front', async () => {
		const status = new Probe();
		let busyInside = false;
		const result = await status.run('Could not delete', async () => {
			busyInside = status.busy;
			throw new Error('the disk is gone');
		});
		expect(busyInside).toBe(true);
		expect(result).toBeUndefined();
		expect(status.busy).toBe(false);
		expect(status.error).toBe('Could not delete: the disk is gone');
	});

	it('clears the last error when the next action starts, and resolves with what the action returns', async () => {
		const status = new Probe();
		await status.run('Could not zip', () => Promise.reject(new Error('no')));
		const result = await status.run('Could not zip', async () => {
			status.say('3 images in the zip.');
			return 3;
		});
		expect(result).toBe(3);
		expect(status.error).toBe('');
		expect(status.message).toBe('3 images in the zip.');
		status.clear();
		expect(status.message).toBe('');
	});
});
