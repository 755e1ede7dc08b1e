// DeleteTaskDefinitions' failure reasons and the identifier texts, in ECS's words.
import {
  CreateClusterCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { answer, ecs, failure } from "../lib.mjs";

const client = ecs();
await client.send(new CreateClusterCommand({}));
const definition = {
  family: "web",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  containerDefinitions: [{ name: "app", image: "busybox" }],
};
await client.send(new RegisterTaskDefinitionCommand(definition));
await client.send(new RegisterTaskDefinitionCommand(definition));
await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
answer({
  deleted: await client.send(
    new DeleteTaskDefinitionsCommand({ taskDefinitions: ["web:1", "web:2", "web:9", "web"] }),
  ),
  include: await failure(
    client.send(new DescribeClustersCommand({ clusters: ["default"], include: ["TAGS", "NOPE"] })),
  ),
  separators: await failure(
    client.send(new DescribeTasksCommand({ cluster: "default", tasks: ["a/b"] })),
  ),
});
