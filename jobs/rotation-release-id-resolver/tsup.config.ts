export { jobTsupConfig as default } from '../../tsup.base.js';
