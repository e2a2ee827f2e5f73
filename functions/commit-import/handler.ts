import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { importApiDeps } from '#shared/runtime/lambda-imports.ts';
import { route } from './route.ts';

// The imports' deps: import records, the import bucket, the import state machine.
export const handler = lambda(apiHandler(route, importApiDeps()), correlationOf.api);
