/** asl-validator 4 ships no types; this is the part of its API the tests call. */
declare module 'asl-validator' {
  /** Options of the validator; both checks are on by default. */
  export interface AslValidatorOptions {
    readonly checkPaths?: boolean;
    readonly checkArn?: boolean;
  }
  /** The validator's verdict on one definition. */
  export interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly { readonly message?: string }[];
    errorsText(separator?: string): string;
  }
  /** Validates an Amazon States Language definition. */
  export default function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): AslValidationResult;
}
