export { executionArn, StepFunctionsWorkflow, type StepFunctionsWorkflowOptions } from './workflow.js';
