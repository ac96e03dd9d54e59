export { brokenOnPurpose } from './broken-on-purpose.js';
export { allFaults, CrashingFaults, DelayingFaults } from './faults.js';
