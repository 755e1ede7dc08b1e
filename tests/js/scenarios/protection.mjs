// Task scale-in protection: what cannot be protected answers failures[].
import {
  CreateClusterCommand,
  GetTaskProtectionCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateTaskProtectionCommand,
} from "@aws-sdk/client-ecs";
import { answer, ecs, failure } from "../lib.mjs";

const client = ecs();
await client.send(new CreateClusterCommand({}));
await client.send(
  new RegisterTaskDefinitionCommand({
    family: "web",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: "busybox" }],
  }),
);
const task = await client.send(
  new RunTaskCommand({
    taskDefinition: "web",
    launchType: "FARGATE",
    networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } },
  }),
);
const arn = task.tasks[0].taskArn;
answer({
  arn,
  update: await client.send(
    new UpdateTaskProtectionCommand({
      cluster: "default",
      tasks: [arn, "0".repeat(32)],
      protectionEnabled: true,
      expiresInMinutes: 60,
    }),
  ),
  get: await client.send(new GetTaskProtectionCommand({ cluster: "default", tasks: [arn] })),
  tooLong: await failure(
    client.send(
      new UpdateTaskProtectionCommand({
        cluster: "default",
        tasks: [arn],
        protectionEnabled: true,
        expiresInMinutes: 2881,
      }),
    ),
  ),
});
