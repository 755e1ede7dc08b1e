"""The web console: the ECS screens of the AWS console, served by ecsd at `/_console/`.

It is a client of ecsd's public APIs and nothing else: the browser calls the same ECS,
ELBv2, ECR, Logs, SSM and Secrets Manager operations the aws CLI does (JSON 1.1 with
`X-Amz-Target`, or the Query protocol), so what it shows is what the API says and every
action goes through the same validation, its errors shown as the API words them. This
package only serves static files (`static/`: plain ES modules, no build step, nothing
from a CDN) and sends a browser that opens ecsd's root to the console.
"""
