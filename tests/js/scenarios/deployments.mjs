// The service deployments API read by current consoles and tools.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
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
const network = { awsvpcConfiguration: { subnets: ["subnet-1"] } };
await client.send(
  new CreateServiceCommand({
    serviceName: "api",
    taskDefinition: "web",
    desiredCount: 0,
    launchType: "FARGATE",
    networkConfiguration: network,
  }),
);
await client.send(new UpdateServiceCommand({ service: "api", forceNewDeployment: true }));
const listed = await client.send(new ListServiceDeploymentsCommand({ service: "api" }));
const page = await client.send(new ListServiceDeploymentsCommand({ service: "api", maxResults: 1 }));
const arn = listed.serviceDeployments[0].serviceDeploymentArn;
const described = await client.send(
  new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn, arn + "0"] }),
);
const revisions = await client.send(
  new DescribeServiceRevisionsCommand({
    serviceRevisionArns: [listed.serviceDeployments[0].targetServiceRevisionArn],
  }),
);
answer({
  listed: listed.serviceDeployments,
  page: { n: page.serviceDeployments.length, nextToken: typeof page.nextToken },
  described,
  revisions,
  stopMissing: await failure(
    client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn + "0" })),
  ),
});
