// Reads a (fake) Hugging Face Hub with Hugging Face's own JS client, @huggingface/hub, and prints what
// it saw as one JSON object: the tests compare it with what the fake holds. Usage:
//   node huggingface-hub-client.mjs <hubUrl> <grantedToken> <otherToken>
import { createHash } from "node:crypto";
import { downloadFile, modelInfo, whoAmI } from "@huggingface/hub";

const [hubUrl, granted, other] = process.argv.slice(2);
const sha256 = async (blob) => createHash("sha256").update(Buffer.from(await blob.arrayBuffer())).digest("hex");
const status = async (call) => {
  try {
    await call();
    return 200;
  } catch (error) {
    return { status: error.statusCode ?? null, message: String(error.message).split(". URL:")[0] };
  }
};

const info = await modelInfo({ name: "openai-community/gpt2", hubUrl, additionalFields: ["siblings", "library_name", "cardData", "sha"] });
const weights = await downloadFile({ repo: "openai-community/gpt2", path: "model.safetensors", hubUrl });
const config = await downloadFile({ repo: "openai-community/gpt2", path: "config.json", hubUrl });
const out = {
  info: { name: info.name, task: info.task, gated: info.gated, private: info.private, library: info.library_name, cardData: info.cardData, sha: info.sha, files: info.siblings.map((s) => s.rfilename) },
  weightsSha256: await sha256(weights),
  weightsSliceSha256: await sha256(weights.slice(1000, 3_000_000)),
  config: await config.text(),
  viaAlias: await sha256(await downloadFile({ repo: "gpt2", path: "config.json", hubUrl })),
  missingFile: await downloadFile({ repo: "openai-community/gpt2", path: "nope.bin", hubUrl }),
  gatedAnonymous: await status(() => downloadFile({ repo: "meta/gated-model", path: "model.safetensors", hubUrl }).then((b) => b.arrayBuffer())),
  gatedOther: await status(() => downloadFile({ repo: "meta/gated-model", path: "model.safetensors", hubUrl, accessToken: other }).then((b) => b.arrayBuffer())),
  gatedGranted: await sha256(await downloadFile({ repo: "meta/gated-model", path: "model.safetensors", hubUrl, accessToken: granted })),
  privateAnonymous: await status(() => modelInfo({ name: "acme/private-model", hubUrl })),
  privateGranted: (await modelInfo({ name: "acme/private-model", hubUrl, accessToken: granted })).private,
  missingRepo: await status(() => modelInfo({ name: "nobody/nothing", hubUrl })),
  missingRevision: await status(() => modelInfo({ name: "openai-community/gpt2", hubUrl, revision: "no-such-branch" })),
  whoami: (await whoAmI({ accessToken: granted, hubUrl })).name,
  badToken: await status(() => whoAmI({ accessToken: "hf_not_a_token", hubUrl })),
};
process.stdout.write(JSON.stringify(out) + "\n");
