"""检验 6_fashion_ddp.py 的两个说法（tests/test_ch08.py 用它；6 号脚本里不放这些检验，好让它只讲 DDP）：

1. DistributedSampler 让各进程在一轮里看到不同的样本，合起来是整个训练集（张数除不尽进程数时，只有为凑齐而补的几张重复）；
2. DDP 每步把各进程的梯度求平均，所以训练结束时各进程的参数逐位相同（比较 SHA-256）；
另外，验证集和测试集的分片（evaluation_shard）合起来恰好每张一次。

    DL_QUICK=1 torchrun --nproc_per_node=3 ch08_cnn/ddp_check.py --device cpu   # 选项与 6 号脚本相同

每个进程照常运行 6 号脚本的 main()，只把它用到的 DistributedSampler、DistributedDataParallel 和 evaluation_shard
换成会做记录的版本；关闭进程组之前，把各进程的记录收集到 0 号进程，打印检验结果，
写到 output/ch08_cnn/ddp_check.json（含每个进程的参数摘要和第 1 轮的全部样本编号）。检验不通过时以非零退出码结束。
"""
import hashlib

import torch.distributed as dist

from common.chapters import load
from common.cli import run
from common.paths import save_json

ddp = load("ch08_cnn/6_fashion_ddp.py")
evaluation_shard = ddp.evaluation_shard  # 6 号脚本原来的函数（main 里换掉之前先留一份）
record = {"first_epoch_indices": None, "n_train": None, "shards": [], "model": None}
failures = []


class RecordingSampler(ddp.DistributedSampler):
    """第一次遍历（第 1 轮）时记下本进程分到的样本编号。"""

    def __iter__(self):
        indices = list(super().__iter__())
        if record["first_epoch_indices"] is None:
            record["first_epoch_indices"], record["n_train"] = indices, len(self.dataset)
        return iter(indices)


class RecordingDDP(ddp.DistributedDataParallel):
    """记下被包起来的模型，最后算它的参数摘要。"""

    def __init__(self, module, *args, **kwargs):
        super().__init__(module, *args, **kwargs)
        record["model"] = module


def recording_shard(dataset, rank, world_size):
    """与 6 号脚本的 evaluation_shard 相同，另外记下数据集的张数和本进程分到的编号。"""
    shard = evaluation_shard(dataset, rank, world_size)
    record["shards"].append({"size": len(dataset), "indices": list(shard.indices)})
    return shard


def parameter_digest(model):
    """全部参数按顺序拼起来的 SHA-256：两个进程的模型逐位相同时才相等。"""
    digest = hashlib.sha256()
    for tensor in model.parameters():
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


def check_ranks():
    """收集各进程的记录（all_gather_object），在 0 号进程检验并保存。所有进程都要调用（集合通信）。"""
    mine = {"rank": dist.get_rank(), "param_sha256": parameter_digest(record["model"]),
            "first_epoch_indices": [int(i) for i in record["first_epoch_indices"]], "shards": record["shards"]}
    records = [None] * dist.get_world_size()
    dist.all_gather_object(records, mine)
    if dist.get_rank() != 0:
        return
    seen = [set(r["first_epoch_indices"]) for r in records]
    per_rank = [len(r["first_epoch_indices"]) for r in records]
    overlap = sum(len(a & b) for i, a in enumerate(seen) for b in seen[i + 1:])
    padded = sum(per_rank) - record["n_train"]  # DistributedSampler 为让各进程一样多而补的张数
    digests = {r["param_sha256"] for r in records}
    shards_ok = all(sorted(i for r in records for i in r["shards"][k]["indices"]) == list(range(r0["size"]))
                    for k, r0 in enumerate(records[0]["shards"]))
    result = {"world_size": len(records), "n_train": record["n_train"], "first_epoch_per_rank": per_rank,
              "first_epoch_seen": len(set().union(*seen)), "first_epoch_overlap": overlap, "padded": padded,
              "params_identical": len(digests) == 1, "evaluation_shards_exact": shards_ok,
              "ranks": [{key: r[key] for key in ("rank", "param_sha256", "first_epoch_indices")} for r in records]}
    print(f"第 1 轮：各进程 {per_rank} 张，合起来 {result['first_epoch_seen']} 张（训练集 {record['n_train']} 张），"
          f"重叠 {overlap} 张（补齐 {padded} 张）；各进程最终参数{'逐位相同' if len(digests) == 1 else '不同！'}；"
          f"验证集、测试集的分片{'恰好每张一次' if shards_ok else '有遗漏或重复！'}")
    if result["first_epoch_seen"] != record["n_train"] or overlap != padded:
        failures.append("第 1 轮各进程的样本不是整个训练集的一个划分")
    if len(digests) != 1:
        failures.append("各进程的最终参数不同")
    if not shards_ok:
        failures.append("评估的分片有遗漏或重复")
    save_json("ch08_cnn/ddp_check.json", result)


class DistWithCheck:
    """给 6 号脚本用的 torch.distributed：其余照旧，只在关闭进程组之前先做 check_ranks。"""

    def __getattr__(self, name):
        return getattr(dist, name)

    def destroy_process_group(self):
        check_ranks()
        dist.destroy_process_group()


def main():
    ddp.DistributedSampler, ddp.DistributedDataParallel = RecordingSampler, RecordingDDP
    ddp.evaluation_shard, ddp.dist = recording_shard, DistWithCheck()
    ddp.main()
    if failures:
        raise ValueError("DDP 的检验没有通过：" + "；".join(failures))


if __name__ == "__main__":
    run(main)
