// Image-at-a-time schedule for batches above 1 (docs/decisions/015-image-at-a-time.md): runs of
// consecutive steps that treat every image alone, and whose activations over the whole batch
// outgrow the caches, run one image at a time (all of the run for image 0, then image 1, ...),
// so each image's tensors stay in cache from one step to the next as they do at batch 1.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace hone {

// The batch of a graph: dimension 0 shared by all its inputs whose dimension 0 is above 1
// (scalars and inputs of dimension 0 = 1 broadcast over it); 1 when none or they disagree.
int64_t graph_batch(const Graph& g);

// `t` with dimension 0 set to 1: the type one image of it has.
ValueType image_type(const ValueType& t);

// How one step could run image by image.
struct ImageStep {
  // Its op computes each image from that image alone (a convolution, pool, layout change,
  // elementwise op, channel concat, ...), every output has the batch as dimension 0, and every
  // input it reads by image has it too and is computed (a prepared op holds its constants
  // whole, so an operand constant per image keeps the step on the whole batch).
  bool eligible = false;
  // Per node input: read one image at a time (its dimension 0 is the batch). Other inputs
  // (weights, broadcast operands) are read whole by every image.
  std::vector<bool> sliced_inputs;
  // Bytes of the step's activations over the whole batch: non-constant inputs and outputs.
  int64_t batch_bytes = 0;
};
ImageStep image_step(const Graph& g, const Node& node, int64_t batch);

// Per step, the segment it belongs to (-1: runs on the whole batch): maximal runs of eligible
// steps, trimmed to begin and end at a step whose batch_bytes reaches `min_bytes`, of two
// steps or more (a step alone keeps no image in cache for the next). min_bytes <= 0: none.
std::vector<int> image_segments(const std::vector<ImageStep>& steps, int64_t min_bytes);

// Renumbers segments so each is one contiguous run (a step taken out of a segment splits it).
void renumber_segments(std::vector<int>& segments);

}  // namespace hone
