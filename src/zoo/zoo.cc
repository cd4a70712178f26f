// placeholder until the module has code
namespace hone {}
