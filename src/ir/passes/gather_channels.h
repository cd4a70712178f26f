// gather-channels: rewrites channel moves of 4-D float tensors as hone ChannelGather nodes
// (docs/decisions/016-channel-gather.md):
// - a channel shuffle, Reshape [N,C,H,W] -> [N,g,C/g,H,W], Transpose (0,2,1,3,4), Reshape
//   back to [N,C,H,W] (ShuffleNet);
// - a Slice along the channels with step 1, and a Split along the channels;
// and lets each gather read through a channel Concat or another gather to their sources, so
// ShuffleNet's Concat -> shuffle -> two halves becomes two gathers from the Concat's inputs.
// Why: in the blocked layout a gather moves lanes in one pass where the ONNX ops ran in NCHW
// behind reorders (ShuffleNet-v2: five passes over memory per unit).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void gather_channels(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
