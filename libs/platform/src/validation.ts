import { BadRequestException, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a request part against a schema: a 400 whose message names each offending field, or the parsed value. */
export class ZodValidation<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  /** @param name what the value is, for errors about the value as a whole (default: the request body) */
  constructor(
    private readonly schema: S,
    private readonly name = '(body)',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : this.name,
      message: issue.message,
    }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: errors.map(({ field, message }) => `${field}: ${message}`).join('; '),
      errors,
    });
  }
}

/** For `@Param(field, uuidParam(field))`: a 400 naming the field when it is not a UUID. */
export const uuidParam = (field: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${field}: must be a UUID`) });
