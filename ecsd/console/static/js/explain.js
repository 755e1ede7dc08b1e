// "Why did my task stop": a stopped task's stopCode and stoppedReason (and its containers'
// exit codes and reasons) in plain words, with the likely causes and what to look at next,
// after AWS's "Amazon ECS stopped task error messages" troubleshooting pages. The wording
// is ecsd's own; the cases are AWS's.

const EXIT_CODES = {
  0: "the process finished on its own (exit code 0). A service's container is expected to keep running: a command that ends (a script without a server in the foreground, a `sh -c` that returns) stops the task.",
  1: "the application failed (exit code 1): its own log says why — read the container's last log lines below.",
  2: "the command was misused (exit code 2): often a wrong argument to the program or to the shell.",
  126: "the command could not be executed (exit code 126): the file is not executable, or not a program for this platform.",
  127: "the command was not found (exit code 127): the entryPoint or command names a program the image does not have.",
  130: "the process was interrupted (SIGINT, exit code 130).",
  134: "the process aborted (SIGABRT, exit code 134).",
  137: "the process was killed (SIGKILL, exit code 137): by the kernel when the container went over its memory limit, or by ECS when it did not stop within stopTimeout after SIGTERM.",
  139: "the process crashed (segmentation fault, exit code 139).",
  143: "the process was terminated (SIGTERM, exit code 143): ECS stopped it, or something inside the container sent SIGTERM.",
};

function exitText(code) {
  if (code === undefined || code === null) return "it has no exit code (it never started, or was killed before it could report one).";
  if (code in EXIT_CODES) return EXIT_CODES[code];
  if (code > 128) return `the process ended on signal ${code - 128} (exit code ${code}).`;
  return `the process exited with code ${code}: the application decides what that means — read its log.`;
}

const CASES = [
  {
    test: (r) => /^CannotPullContainerError/.test(r),
    title: "The image could not be pulled",
    summary: "ECS could not fetch a container's image, so no container of the task started.",
    causes: [
      [/manifest unknown|not found|does not exist/i, "The image name or tag in the task definition is wrong, or that tag does not exist in the repository (\"manifest unknown\", \"not found\")."],
      [/no such host|i\/o timeout|connection refused|dial tcp|network is unreachable/i, "The registry cannot be reached from the machine running the containers (\"no such host\", \"i/o timeout\", \"connection refused\"). ecsd runs containers on your own engine, which may have no route to the internet."],
      [/access denied|unauthorized|denied|authentication/i, "The registry refuses the pull (\"pull access denied\", \"unauthorized\"): a private repository needs credentials (repositoryCredentials, or an ECR repository with an execution role allowed to read it)."],
    ],
    next: [
      "Compare the image in the task definition with what the registry has (for ecsd's ECR: `aws ecr describe-images --repository-name …`).",
      "Try `docker pull <image>` on the machine running ecsd: the same error there is the registry's answer.",
      "For an image you build yourself, push it to ecsd's registry first (the repository's push commands), or use a local image tag.",
    ],
  },
  {
    test: (r) => /^ResourceInitializationError/.test(r),
    title: "The task's resources could not be prepared",
    summary: "Before the containers start, ECS fetches secrets, registry credentials and the log configuration; one of these failed.",
    causes: [
      "A secret or parameter named in `secrets` (valueFrom) does not exist, or is in another region or account.",
      "The execution role cannot read the secret, parameter or registry it needs.",
      "The awslogs log group does not exist and `awslogs-create-group` is not set.",
      "The container engine could not be reached (ecsd says so in the reason).",
    ],
    next: [
      "Read the rest of the reason: it names the resource that failed.",
      "Check each `valueFrom` against `aws ssm get-parameter` / `aws secretsmanager describe-secret`.",
      "Create the log group, or add `awslogs-create-group: true` to the log options.",
    ],
  },
  {
    test: (r) => /^CannotStartContainerError|^CannotCreateContainerError/.test(r),
    title: "A container could not be started",
    summary: "The image was pulled, but the engine could not create or start a container from it.",
    causes: [
      "The entryPoint or command names a program that is not in the image, or is not executable.",
      "A mount, port or other setting in the container definition is rejected by the engine.",
      "The container asks for more memory than the task has.",
    ],
    next: [
      "Read the engine's message after the colon in the reason.",
      "Run the image by hand with the same command: `docker run --rm <image> <command>`.",
    ],
  },
  {
    test: (r) => /^OutOfMemoryError|OutOfMemory/i.test(r),
    title: "A container ran out of memory",
    summary: "A container used more memory than its limit and the kernel killed it (exit code 137).",
    causes: [
      "The container's `memory` (hard limit) or the task's memory is too small for the application.",
      "The application leaks memory, or caches without bound.",
    ],
    next: [
      "Raise `memory` in the container definition (or the task size), or limit the application's heap.",
      "Watch the service's MemoryUtilization metric to see how close to the limit it runs.",
    ],
  },
  {
    test: (r) => /^Task failed ELB health checks/.test(r),
    title: "The load balancer found the task unhealthy",
    summary: "The task's target failed the target group's health checks, so the service replaced it.",
    causes: [
      "The health check path or port does not answer with a code the matcher accepts (e.g. the app answers 404 or 302 on `/`).",
      "The application takes longer to start than the health check grace period (`healthCheckGracePeriodSeconds`).",
      "The container listens on another port than the one registered, or only on 127.0.0.1 inside the container.",
    ],
    next: [
      "Look at the target group's targets: each target's health reason (e.g. `Target.ResponseCodeMismatch`) says what the check saw.",
      "Request the health check path yourself at the task's address.",
      "Raise the service's health check grace period if the application starts slowly.",
    ],
  },
  {
    test: (r) => /^Task failed container health checks/.test(r),
    title: "A container's health check failed",
    summary: "An essential container's `healthCheck` command kept failing, so it became UNHEALTHY and the service replaced the task.",
    causes: [
      "The health check command fails (a tool such as curl is not in the image, or the URL is wrong).",
      "The application starts more slowly than `startPeriod` allows.",
    ],
    next: [
      "Run the health check command inside a running container of the same image.",
      "Raise `startPeriod`, `interval` or `retries` in the container's healthCheck.",
    ],
  },
  {
    test: (r) => /^Essential container in task exited/.test(r),
    title: "An essential container exited",
    summary: "A container marked `essential` stopped, and when an essential container stops, ECS stops the whole task.",
    causes: [],
    next: [
      "Read the exited container's last log lines (below, or in its Logs tab).",
      "If the container is not meant to run for the task's whole life (a migration, an init step), set `essential: false` and use `dependsOn` with condition SUCCESS.",
    ],
  },
  {
    test: (r) => /^Scaling activity initiated by/.test(r),
    title: "The service stopped this task on purpose",
    summary: "A deployment replaced this task with one of a newer deployment, or the service scaled in: this is normal.",
    causes: [],
    next: ["The service's Deployments and Events tabs show the deployment or scaling that did it."],
  },
  {
    test: (r, code) => code === "UserInitiated" || /^Task stopped by user/.test(r),
    title: "Someone stopped this task",
    summary: "StopTask was called (from the console, the CLI or a tool), with the reason shown.",
    causes: [],
    next: ["If a tool you did not expect stopped it, look for StopTask calls in your scripts or pipelines."],
  },
];

/**
 * The explanation of a stopped task, or null for a task that has not stopped.
 * `logs`: {containerName: [last lines]} when the containers' logs could be read.
 */
export function explain(task, logs = {}) {
  if (task.lastStatus !== "STOPPED" && task.desiredStatus !== "STOPPED") return null;
  const reason = task.stoppedReason || "";
  const code = task.stopCode || "";
  const found = CASES.find((c) => c.test(reason, code)) || {
    title: "The task stopped",
    summary: `ECS stopped the task (${code || "no stop code"}).`,
    causes: [],
    next: ["Read each container's reason and exit code below, and its logs."],
  };
  // A cause whose words the reason contains is the likely one: it goes first, marked.
  const causes = [];
  for (const c of found.causes) {
    const [match, text] = Array.isArray(c) ? c : [null, c];
    if (match && match.test(reason)) causes.unshift(`Most likely, by the reason's own words: ${text}`);
    else causes.push(text);
  }
  // An essential container's exit explains the task: each exit code, in words.
  const exited = /^Essential container in task exited/.test(reason);
  if (exited) {
    for (const c of task.containers || []) {
      if (c.lastStatus === "STOPPED" && c.exitCode !== undefined && c.exitCode !== null) {
        causes.push(`Container ${c.name}: ${exitText(c.exitCode)}`);
      }
    }
  }
  const containers = (task.containers || []).map((c) => {
    const lines = [];
    if (c.reason && c.reason !== reason) lines.push(`Reason: ${c.reason}`);
    if (!exited && c.lastStatus === "STOPPED" && c.exitCode !== undefined && c.exitCode !== null) {
      lines.push(`It stopped: ${exitText(c.exitCode)}`);
    }
    const log = logs[c.name] || [];
    return { name: c.name, exitCode: c.exitCode, lines, log };
  }).filter((c) => c.lines.length || c.log.length);
  return { title: found.title, summary: found.summary, reason, code, causes, next: found.next, containers };
}
