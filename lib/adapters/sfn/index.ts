export {
  executionArn,
  StepFunctionsWorkflow,
  type StepFunctionsWorkflowOptions,
} from './step-functions-workflow.js';
