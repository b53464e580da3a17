// The loopback sshd helper is shared with the bench, which tsc builds (the tests are run by tsx).
export * from '../../bench/loopback-sshd.js';
