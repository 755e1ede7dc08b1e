// What every scenario shares: an ECS client on the ecsd the test started (ECSD_URL), and
// a way to answer the test — one JSON document on stdout, errors as {name, message}.
import { ECSClient } from "@aws-sdk/client-ecs";

export function ecs(region = process.env.AWS_REGION || "us-east-1") {
  return new ECSClient({
    endpoint: process.env.ECSD_URL,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

// The error an SDK call answered, as the test compares it.
export async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("the call succeeded but an error was expected");
}

// Dates are written as {date: epoch seconds}: proof that the SDK parsed the wire's
// timestamp as a date, and its value for the test to check.
export function answer(value) {
  process.stdout.write(
    JSON.stringify(value, function (key, v) {
      const raw = this[key];
      return raw instanceof Date ? { date: raw.getTime() / 1000 } : v;
    }),
  );
}
