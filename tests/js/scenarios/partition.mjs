// ARNs in a China region carry the aws-cn partition.
import { CreateClusterCommand, DescribeCapacityProvidersCommand } from "@aws-sdk/client-ecs";
import { answer, ecs } from "../lib.mjs";

const client = ecs("cn-north-1");
const made = await client.send(new CreateClusterCommand({ clusterName: "cn" }));
const providers = await client.send(new DescribeCapacityProvidersCommand({}));
answer({
  cluster: made.cluster.clusterArn,
  provider: providers.capacityProviders[0].capacityProviderArn,
});
