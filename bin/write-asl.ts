#!/usr/bin/env tsx
import { writeAslFile } from '../lib/local/asl-file.js';
import { DEFAULT_DEFINITION_PATH } from '../lib/local/engine/definition.js';

/** `npm run asl`: writes the state machine built from the default playbook. */
writeAslFile();
console.log(`wrote ${DEFAULT_DEFINITION_PATH}`);
