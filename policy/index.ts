/**
 * The policy pack: `pulumi preview --policy-pack policy` (from the project root) checks every
 * stack against the project's promises. The policies themselves are in policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("oe-lab-ipm-guardrails", {
    policies: [...resourcePolicies, ...stackPolicies],
});
