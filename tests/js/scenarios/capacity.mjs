// Capacity providers, container instances and the EC2 launch type on a Fargate cluster.
import {
  CreateClusterCommand,
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { answer, ecs, failure } from "../lib.mjs";

const client = ecs();
const network = { awsvpcConfiguration: { subnets: ["subnet-1"] } };
await client.send(new CreateClusterCommand({}));
await client.send(
  new CreateClusterCommand({
    clusterName: "spot",
    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
  }),
);
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
const placed = await client.send(
  new RunTaskCommand({ cluster: "spot", taskDefinition: "web", networkConfiguration: network }),
);
const described = await client.send(
  new DescribeTasksCommand({ cluster: "spot", tasks: [placed.tasks[0].taskArn] }),
);
answer({
  runTask: placed.tasks[0].capacityProviderName,
  describeTasks: described.tasks[0].capacityProviderName,
  createdAt: described.tasks[0].createdAt,
  ec2: await failure(
    client.send(new RunTaskCommand({ taskDefinition: "web", networkConfiguration: network })),
  ),
  providers: (await client.send(new DescribeCapacityProvidersCommand({}))).capacityProviders,
  listInstances: (await client.send(new ListContainerInstancesCommand({}))).containerInstanceArns,
  describeInstances: await client.send(
    new DescribeContainerInstancesCommand({ containerInstances: ["abc"] }),
  ),
  validation: await failure(
    client.send(new RunTaskCommand({ taskDefinition: "web", launchType: "BOGUS", count: 1 })),
  ),
});
