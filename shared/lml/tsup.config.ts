export { packageTsupConfig as default } from '../../tsup.base.js';
