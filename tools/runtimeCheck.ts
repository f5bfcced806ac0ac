/** Imported first by each CLI (before commander and the SDK load): the runtime check of ./runtime, once. */
import { checkRuntime } from "./runtime";

checkRuntime();
