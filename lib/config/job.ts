/** Every plot has a job; until jobs exist there is one, this (the farm snapshot and the plot outcomes both say it). */
export const DEFAULT_JOB = 'default';
