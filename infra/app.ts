#!/usr/bin/env node
// What `cdk synth` / `cdk deploy` run (cdk.json "app"). Configuration: see infra/README.md.
import { buildTraceguardApp } from './build-app.ts';

const { app } = buildTraceguardApp();
app.synth();
